//! Minimal cut sets of every node, truncated at order K, computed once
//! bottom-up and shared by every reader.
//!
//! Most nodes are "any one of these": an entity is DOWN when any input is.
//! Their families are never stored: the family of such a node is the
//! union of its own unit (if it is one) and its inputs' families, so a
//! query walks down through them and gathers what it meets. That walk is
//! what keeps a million-long chain linear; storing every prefix of it
//! would be quadratic. The nodes that need more than a union (gates that
//! need two or more inputs DOWN) have their family computed once, from
//! their inputs' families, in dependency order: strongly connected
//! components, dependencies first, and inside a component that loops
//! through a gate, repeated from "nothing DOWN" until nothing changes (the
//! greatest fixed point of the format's cycles).
//!
//! Everything is relative to a base failure set (empty for plain
//! analysis; a drained rack for `impact`): nodes DOWN under the base are
//! constants, and a gate with some inputs already DOWN needs that many
//! fewer.

use super::circuit::{Circuit, NodeId};
use super::evaluate::down;
use super::family::{self, Bounds, Cut, Family};
use crate::model::EntityId;
use fixedbitset::FixedBitSet;
use std::sync::{Arc, Mutex};

/// A gate as read under the base failure set.
#[derive(Clone, Debug)]
enum Gate {
    /// DOWN under the base (never reached from a node that is UP).
    Down,
    /// Needs one more input DOWN: looked through like an entity.
    AnyOf,
    /// Needs two or more: its family, computed once.
    Family(Family),
    /// Not below any of the roots the families were asked for.
    Skipped,
}

/// What a computation is about.
#[derive(Clone, Copy, Default)]
pub struct Scope<'a> {
    /// Units already failed: constants (empty for plain analysis; a drained
    /// rack for `impact`).
    pub base: &'a [EntityId],
    /// The units that may fail (all when `None`): `spread` asks about racks
    /// only.
    pub units: Option<&'a dyn Fn(EntityId) -> bool>,
    /// The nodes whose families will be asked for (all when `None`): gates
    /// below none of them are not computed. Asking for another node's
    /// family is a bug.
    pub roots: Option<&'a [NodeId]>,
}

/// Every node reachable from `roots` through inputs.
fn below(c: &Circuit, roots: &[NodeId]) -> FixedBitSet {
    let mut seen = FixedBitSet::with_capacity(c.len());
    let mut stack: Vec<NodeId> = Vec::new();
    for &r in roots {
        if !seen.put(r as usize) {
            stack.push(r);
        }
    }
    while let Some(x) = stack.pop() {
        for &m in c.inputs(x) {
            if !seen.put(m as usize) {
                stack.push(m);
            }
        }
    }
    seen
}

/// A family, or a reason it was not computed.
pub type Result<T> = std::result::Result<T, TooLarge>;

/// A family grew past what one run may hold in memory: the estate has
/// more cut sets of this order than any report could show. The caller says
/// so and asks for a lower order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TooLarge {
    pub order: usize,
    pub cuts: usize,
    /// Another analysis's limit (the worst placement of floating vms),
    /// said in its own words instead of the cut-set sentence.
    pub detail: Option<String>,
}

impl std::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(d) = &self.detail {
            return f.write_str(d);
        }
        write!(
            f,
            "more than {} minimal cut sets of up to {} units in one family",
            self.cuts, self.order
        )
    }
}

/// Cuts one family may hold before the analysis stops (about 28 bytes
/// each); the config's `limits: {max_cut_sets: N}` may lower it. Order 1
/// has no limit: its families are sets of units, never larger than the
/// estate.
pub const MAX_FAMILY: usize = 4_000_000;

pub struct CutSets {
    c: Arc<Circuit>,
    bounds: Bounds,
    down: Vec<bool>,
    /// Units that may fail: culprits that are UP under the base (and pass
    /// the caller's filter).
    event: FixedBitSet,
    /// Per gate node (index: node - entities).
    gates: Vec<Gate>,
    /// Marks reused by queries, one per concurrent caller: a fresh one is
    /// as large as the estate.
    pool: Mutex<Vec<Scratch>>,
}

impl CutSets {
    /// Families within `bounds` for `scope`. `components` is
    /// [`Circuit::components`] (dependencies first), computed once by the
    /// caller.
    pub fn compute(
        c: &Arc<Circuit>,
        components: &[Vec<NodeId>],
        bounds: Bounds,
        scope: &Scope,
    ) -> Result<CutSets> {
        let Scope { base, units, roots } = *scope;
        let k = bounds.order;
        let bounds = Bounds {
            order: k,
            limit: if k == 1 { usize::MAX } else { bounds.limit },
        };
        assert!(
            (1..=family::MAX_ORDER).contains(&k),
            "order {k} out of range"
        );
        let down = down(c, base);
        let mut event = FixedBitSet::with_capacity(c.len());
        for (x, &is_down) in down.iter().enumerate().take(c.entities()) {
            if c.is_culprit(x as NodeId) && !is_down && units.is_none_or(|f| f(x as EntityId)) {
                event.insert(x);
            }
        }
        let wanted = roots.map(|r| below(c, r));
        let mut pending = FixedBitSet::with_capacity(c.len());
        let gates: Vec<Gate> = (c.entities()..c.len())
            .map(|g| {
                let g = g as NodeId;
                if down[g as usize] {
                    return Gate::Down;
                }
                let (t, up) = effective(c, &down, g);
                if t == 1 {
                    Gate::AnyOf
                } else if t > up {
                    Gate::Family(Vec::new())
                } else if wanted.as_ref().is_some_and(|w| !w.contains(g as usize)) {
                    Gate::Skipped
                } else {
                    pending.insert(g as usize);
                    Gate::Family(Vec::new())
                }
            })
            .collect();
        let mut cs = CutSets {
            c: Arc::clone(c),
            bounds,
            down,
            event,
            gates,
            pool: Mutex::new(Vec::new()),
        };
        let mut scratch = Scratch::new(c.len());
        for scc in components {
            let todo: Vec<NodeId> = scc
                .iter()
                .copied()
                .filter(|&x| pending.contains(x as usize))
                .collect();
            if todo.is_empty() {
                continue;
            }
            let looped = scc.len() > 1;
            loop {
                let mut changed = false;
                for &g in &todo {
                    let f = cs.materialize(g, &mut scratch)?;
                    let slot = &mut cs.gates[g as usize - c.entities()];
                    if !matches!(slot, Gate::Family(old) if *old == f) {
                        changed = true;
                        *slot = Gate::Family(f);
                    }
                }
                if !looped || !changed {
                    break;
                }
            }
        }
        Ok(cs)
    }

    pub fn order(&self) -> usize {
        self.bounds.order
    }

    fn too_large(&self) -> TooLarge {
        TooLarge {
            order: self.bounds.order,
            cuts: self.bounds.limit,
            detail: None,
        }
    }

    /// DOWN under the base failure set.
    pub fn is_down(&self, x: NodeId) -> bool {
        self.down[x as usize]
    }

    pub fn base_down(&self) -> &[bool] {
        &self.down
    }

    /// The minimal cut sets of `x` of at most K units, sorted by size then
    /// entity index; empty when `x` is DOWN under the base (nothing more
    /// needs to fail) or when no K units take it down.
    pub fn family(&self, x: NodeId) -> Family {
        if self.is_down(x) {
            return Vec::new();
        }
        self.with_scratch(|cs, s| {
            let mut out = Vec::new();
            cs.gather(x, s, &mut out);
            family::minimize(out)
        })
    }

    /// The units whose failure alone takes `x` down (its cut sets of one
    /// unit), unsorted; empty when `x` is DOWN under the base.
    pub fn killers(&self, x: NodeId) -> Vec<EntityId> {
        if self.is_down(x) {
            return Vec::new();
        }
        self.with_scratch(|cs, s| {
            let mut out = Vec::new();
            cs.walk(x, s, |cut| {
                if cut.len() == 1 {
                    out.push(cut.members()[0]);
                }
            });
            // A stored family may repeat a unit met elsewhere.
            out.sort_unstable();
            out.dedup();
            out
        })
    }

    /// Cut sets of "at least `t` of `members` are DOWN", for groups that
    /// are not nodes of the circuit (every instance of a service, every
    /// copy of its data). Members DOWN under the base count as down.
    pub fn at_least(&self, t: usize, members: &[NodeId]) -> Result<Family> {
        let already = members.iter().filter(|&&m| self.is_down(m)).count();
        if already >= t {
            return Ok(vec![Cut::EMPTY]);
        }
        let fams: Vec<Family> = members
            .iter()
            .filter(|&&m| !self.is_down(m))
            .map(|&m| self.family(m))
            .collect();
        let refs: Vec<&[Cut]> = fams.iter().map(Vec::as_slice).collect();
        family::at_least(t - already, &refs, &self.bounds).ok_or_else(|| self.too_large())
    }

    fn with_scratch<T>(&self, f: impl FnOnce(&Self, &mut Scratch) -> T) -> T {
        let pooled = self.pool.lock().ok().and_then(|mut p| p.pop());
        let mut s = pooled.unwrap_or_else(|| Scratch::new(self.c.len()));
        let out = f(self, &mut s);
        if let Ok(mut p) = self.pool.lock() {
            p.push(s);
        }
        out
    }

    /// The family of gate `g` from its inputs' current families.
    fn materialize(&self, g: NodeId, s: &mut Scratch) -> Result<Family> {
        let (t, _) = effective(&self.c, &self.down, g);
        let mut fams: Vec<Family> = Vec::new();
        for &m in self.c.inputs(g) {
            if self.down[m as usize] {
                continue;
            }
            let mut out = Vec::new();
            self.gather(m, s, &mut out);
            fams.push(family::minimize(out));
        }
        let refs: Vec<&[Cut]> = fams.iter().map(Vec::as_slice).collect();
        family::at_least(t as usize, &refs, &self.bounds).ok_or_else(|| self.too_large())
    }

    /// Everything `x`'s family is the union of, unminimised.
    fn gather(&self, x: NodeId, s: &mut Scratch, out: &mut Vec<Cut>) {
        self.walk(x, s, |c| out.push(*c));
    }

    /// Walks down from `x` through "any one of" nodes, handing every unit
    /// met (as a one-unit cut) and every stored family's cuts to `visit`.
    fn walk(&self, x: NodeId, s: &mut Scratch, mut visit: impl FnMut(&Cut)) {
        s.next_round();
        s.visit(x);
        let mut stack = vec![x];
        while let Some(y) = stack.pop() {
            if self.event.contains(y as usize) {
                visit(&Cut::one(y));
            }
            if self.c.is_gate(y) {
                match &self.gates[y as usize - self.c.entities()] {
                    Gate::Down => continue,
                    Gate::Skipped => {
                        debug_assert!(false, "a family outside the roots asked for");
                        continue;
                    }
                    Gate::Family(f) => {
                        f.iter().for_each(&mut visit);
                        continue;
                    }
                    Gate::AnyOf => {}
                }
            }
            for &m in self.c.inputs(y) {
                if !self.down[m as usize] && s.visit(m) {
                    stack.push(m);
                }
            }
        }
    }
}

/// A gate's threshold under `down`, counting the inputs already DOWN, and
/// how many inputs are UP.
fn effective(c: &Circuit, down: &[bool], g: NodeId) -> (u32, u32) {
    let inputs = c.inputs(g);
    let already = inputs.iter().filter(|&&m| down[m as usize]).count() as u32;
    (
        c.threshold(g).saturating_sub(already),
        inputs.len() as u32 - already,
    )
}

/// Generation-stamped visited marks, so each walk costs what it touches
/// rather than the size of the estate.
pub struct Scratch {
    round: u32,
    visited: Vec<u32>,
}

impl Scratch {
    pub fn new(n: usize) -> Self {
        Scratch {
            round: 0,
            visited: vec![0; n],
        }
    }

    fn next_round(&mut self) {
        self.round += 1;
        if self.round == u32::MAX {
            self.visited.iter_mut().for_each(|v| *v = 0);
            self.round = 1;
        }
    }

    fn visit(&mut self, x: NodeId) -> bool {
        let v = &mut self.visited[x as usize];
        let fresh = *v != self.round;
        *v = self.round;
        fresh
    }
}
