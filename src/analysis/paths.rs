//! Failure paths: how each culprit of a single-point-of-failure finding
//! takes its service down.
//!
//! A culprit's *chain* runs from the culprit to the service; each entity on
//! it reads the one before in its DOWN condition, and every one of them is
//! DOWN when the culprit alone fails. Among the shortest such chains, one
//! whose every step is *causal* (the group that reads the step before has
//! given way, rather than the entity being down for another reason) is
//! preferred, so the chain reads as an explanation.
//!
//! Computed once per run, after the rules, for the findings an output needs
//! (`check::paths` asks): one evaluation and one breadth-first search per distinct
//! culprit, shared by every finding that names it. A site's search covers
//! the site once, not once per service it takes down.
//!
//! Findings of a higher order (`order: 2` in a rule) name units that take
//! the service down only together: each culprit's chain is taken under the
//! first of the service's minimal cut sets (in output order) that holds it,
//! and every step of it is DOWN when that whole set fails.

use crate::analysis::Analysis;
use crate::engine::{Circuit, Evaluator, GateKind, NodeId};
use crate::model::{EntityId, Model};
use rustc_hash::FxHashMap as HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

/// Other DOWN members of a group kept for display ("a, b, c and 5 more").
pub const MAX_PEERS: usize = 3;

/// Work (nodes evaluated and searched) one run may spend on paths, and
/// steps it may hold (about 50 bytes each). Chains are short in real
/// estates (a generated 100,000-entity one holds 225,000 steps); a
/// 100,000-long `requires` chain asks for five billion, which no report
/// could hold.
pub const MAX_WORK: u64 = 200_000_000;
pub const MAX_STEPS: u64 = 5_000_000;

/// How one step after the first gave way: the group of its DOWN condition
/// that reads the step before.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    pub kind: GateKind,
    /// Members of the group, how many of them are DOWN, and how many DOWN
    /// ones take the entity down (for instances: n - min_healthy + 1).
    pub size: u32,
    pub down: u32,
    pub threshold: u32,
    /// Other DOWN members of the group (at most [`MAX_PEERS`]), when the
    /// group needs more than one.
    pub peers: Vec<EntityId>,
    /// What took the entity down when this group has not given way (the
    /// step before is one of two power inputs, say, and the other is up).
    pub cause: Option<Cause>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    /// In the failure set itself (another member of a cut set).
    Failed,
    /// Down with nothing failed: a standby host, a floating vm of a
    /// cluster without hosts, a service that needs more instances than it
    /// has.
    AlwaysDown,
    /// Another group of its DOWN condition, through this DOWN member.
    Reads(GateKind, EntityId),
}

/// One culprit's chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chain {
    pub culprit: EntityId,
    /// The failure set the chain holds under: empty for the culprit alone,
    /// otherwise the minimal cut set (sorted by name) it was taken under.
    pub cut: Vec<EntityId>,
    /// From the culprit to the finding's subject.
    pub steps: Vec<EntityId>,
    /// `links[i]` says how `steps[i + 1]` gave way.
    pub links: Vec<Link>,
}

/// The paths of one finding, its culprits' chains in culprit order (the
/// first ones only when an output asked for fewer).
pub type Paths = Vec<Chain>;

/// Paths were not attached: the estate asks for more than [`MAX_WORK`]
/// or [`MAX_STEPS`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TooLong;

impl std::fmt::Display for TooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "tracing them would take more than {MAX_WORK} steps of work or hold more than {MAX_STEPS} steps (dependency chains thousands of entities deep)"
        )
    }
}

/// One chain to find: from `culprit` to `subject`, under the culprit
/// alone (`cut` empty) or under a cut set that holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub culprit: EntityId,
    pub cut: Vec<EntityId>,
    pub subject: EntityId,
}

/// One search: a source under a failure set, for every request that
/// shares them.
struct Job {
    failed: Vec<EntityId>,
    source: EntityId,
    /// (request index, subject) of each request it answers.
    uses: Vec<(usize, EntityId)>,
    /// The subjects, sorted.
    targets: Vec<EntityId>,
}

/// The chain of each request (`None` where the subject is not reached,
/// which the semantics rule out for a culprit or a cut set's member).
/// Requests sharing a culprit and failure set share one search.
pub fn trace(a: &Analysis, requests: &[Request]) -> Result<Vec<Option<Chain>>, TooLong> {
    let mut by_key: HashMap<(&[EntityId], EntityId), Job> = HashMap::default();
    for (ri, r) in requests.iter().enumerate() {
        let job = by_key
            .entry((r.cut.as_slice(), r.culprit))
            .or_insert_with(|| Job {
                failed: r.cut.clone(),
                source: r.culprit,
                uses: Vec::new(),
                targets: Vec::new(),
            });
        job.uses.push((ri, r.subject));
        job.targets.push(r.subject);
    }
    let mut jobs: Vec<Job> = by_key.into_values().collect();
    jobs.sort_by(|x, y| (&x.failed, x.source).cmp(&(&y.failed, y.source)));
    for j in &mut jobs {
        j.targets.sort_unstable();
        j.targets.dedup();
    }
    let found = run(a, &jobs)?;
    let mut out: Vec<Option<Chain>> = vec![None; requests.len()];
    for (job, chains) in jobs.iter().zip(found) {
        for (&(ri, _), chain) in job.uses.iter().zip(chains) {
            out[ri] = chain;
        }
    }
    Ok(out)
}

/// Runs the searches in parallel; per job, a chain per use (None when the
/// subject was not reached, which the semantics rule out for a culprit).
fn run(a: &Analysis, jobs: &[Job]) -> Result<Vec<Vec<Option<Chain>>>, TooLong> {
    use rayon::prelude::*;
    let c: &Circuit = &a.circuit;
    let work = AtomicU64::new(0);
    let held = AtomicU64::new(0);
    let pieces = (rayon::current_num_threads() * 4).max(1);
    let chunk = jobs.len().div_ceil(pieces).max(1);
    let results: Vec<Vec<Option<Vec<Option<Chain>>>>> = jobs
        .par_chunks(chunk)
        .map(|part| {
            let mut ev = Evaluator::new(c, &[]);
            let mut s = Scratch::new(c.len());
            part.iter()
                .map(|job| {
                    if work.load(Ordering::Relaxed) > MAX_WORK
                        || held.load(Ordering::Relaxed) > MAX_STEPS
                    {
                        return None;
                    }
                    let cp = ev.checkpoint();
                    let failed: &[EntityId] = if job.failed.is_empty() {
                        std::slice::from_ref(&job.source)
                    } else {
                        &job.failed
                    };
                    let spent = ev.fail(failed).len() as u64;
                    let searched = s.search(c, &ev, job.source, &job.targets);
                    let mut stored = 0u64;
                    let chains: Vec<Option<Chain>> = job
                        .uses
                        .iter()
                        .map(|&(_, t)| {
                            let chain = s.chain(a.model, c, &ev, job, failed, t);
                            stored += chain.as_ref().map_or(0, |ch| ch.steps.len() as u64);
                            chain
                        })
                        .collect();
                    ev.undo_to(cp);
                    s.reset();
                    work.fetch_add(spent + searched, Ordering::Relaxed);
                    held.fetch_add(stored, Ordering::Relaxed);
                    Some(chains)
                })
                .collect()
        })
        .collect();
    let over = work.load(Ordering::Relaxed) > MAX_WORK || held.load(Ordering::Relaxed) > MAX_STEPS;
    let mut out = Vec::with_capacity(jobs.len());
    for r in results.into_iter().flatten() {
        match r {
            Some(chains) => out.push(chains),
            None => return Err(TooLong),
        }
    }
    if over {
        return Err(TooLong);
    }
    Ok(out)
}

const UNSEEN: u32 = u32::MAX;

/// Per-thread search state, reset between jobs by what it touched.
struct Scratch {
    /// Breadth-first level of each node (gates take their entity's level).
    level: Vec<u32>,
    /// Entity reached through: the step before, or the gate between.
    parent: Vec<NodeId>,
    /// Steps on the way that are not causal (fewest wins among equals).
    loose: Vec<u32>,
    touched: Vec<NodeId>,
}

impl Scratch {
    fn new(nodes: usize) -> Self {
        Scratch {
            level: vec![UNSEEN; nodes],
            parent: vec![0; nodes],
            loose: vec![0; nodes],
            touched: Vec::new(),
        }
    }

    fn reset(&mut self) {
        for x in self.touched.drain(..) {
            self.level[x as usize] = UNSEEN;
        }
    }

    fn mark(&mut self, x: NodeId, level: u32, via: NodeId, loose: u32) {
        let i = x as usize;
        if self.level[i] == UNSEEN {
            self.level[i] = level;
            self.parent[i] = via;
            self.loose[i] = loose;
            self.touched.push(x);
        } else if self.level[i] == level && loose < self.loose[i] {
            self.parent[i] = via;
            self.loose[i] = loose;
        }
    }

    /// Level-by-level search from `source` over the readers of DOWN
    /// entities, until every target is reached; returns the nodes looked
    /// at. Within a level, an entity keeps the parent with the fewest
    /// non-causal steps behind it.
    fn search(
        &mut self,
        c: &Circuit,
        ev: &Evaluator,
        source: EntityId,
        targets: &[EntityId],
    ) -> u64 {
        let mut seen = 0u64;
        self.mark(source, 0, source, 0);
        let mut remaining = targets.iter().filter(|&&t| t != source).count();
        let mut frontier = vec![source];
        let mut level = 0u32;
        let mut gates: Vec<NodeId> = Vec::new();
        let mut next: Vec<NodeId> = Vec::new();
        while !frontier.is_empty() && remaining > 0 {
            gates.clear();
            next.clear();
            for &x in &frontier {
                for &r in c.readers(x) {
                    seen += 1;
                    let carried = self.loose[x as usize];
                    if c.is_gate(r) {
                        if self.level[r as usize] == UNSEEN {
                            gates.push(r);
                        }
                        self.mark(r, level, x, carried);
                    } else if ev.is_down(r) {
                        if self.level[r as usize] == UNSEEN {
                            next.push(r);
                        }
                        self.mark(r, level + 1, x, carried);
                    }
                }
            }
            for &g in &gates {
                let carried = self.loose[g as usize] + u32::from(!ev.is_down(g));
                for &r in c.readers(g) {
                    seen += 1;
                    if ev.is_down(r) {
                        if self.level[r as usize] == UNSEEN {
                            next.push(r);
                        }
                        self.mark(r, level + 1, g, carried);
                    }
                }
            }
            remaining -= next
                .iter()
                .filter(|x| targets.binary_search(x).is_ok())
                .count();
            std::mem::swap(&mut frontier, &mut next);
            level += 1;
        }
        seen
    }

    /// The chain to `target`, read back through the parents.
    fn chain(
        &self,
        m: &Model,
        c: &Circuit,
        ev: &Evaluator,
        job: &Job,
        failed: &[EntityId],
        target: EntityId,
    ) -> Option<Chain> {
        if self.level[target as usize] == UNSEEN {
            return None;
        }
        let mut steps = vec![target];
        let mut vias = Vec::new();
        let mut x = target;
        while x != job.source {
            let via = self.parent[x as usize];
            vias.push(via);
            x = if c.is_gate(via) {
                self.parent[via as usize]
            } else {
                via
            };
            steps.push(x);
        }
        steps.reverse();
        vias.reverse();
        let links = steps
            .windows(2)
            .zip(&vias)
            .map(|(w, &via)| link(m, c, ev, failed, w[0], w[1], via))
            .collect();
        Some(Chain {
            culprit: job.source,
            cut: job.failed.clone(),
            steps,
            links,
        })
    }
}

/// How `x` gave way, read through `via` (the step before, `prev`, or the
/// gate holding it).
fn link(
    m: &Model,
    c: &Circuit,
    ev: &Evaluator,
    failed: &[EntityId],
    prev: EntityId,
    x: EntityId,
    via: NodeId,
) -> Link {
    let kind = c
        .inputs(x)
        .iter()
        .zip(c.input_kinds(x))
        .find(|(v, _)| **v == via)
        .map_or(GateKind::AllOf, |(_, k)| *k);
    let (size, down, threshold, members): (u32, u32, u32, &[EntityId]) =
        if kind == GateKind::Instances {
            let e = m.get(x);
            let n = e.instances.len() as u32;
            let down = e.instances.iter().filter(|&&i| ev.is_down(i)).count() as u32;
            (n, down, (n + 1).saturating_sub(e.min_healthy), &e.instances)
        } else if c.is_gate(via) {
            let members = c.inputs(via);
            (
                members.len() as u32,
                ev.down_inputs(via),
                c.threshold(via),
                members,
            )
        } else {
            (1, 1, 1, &[])
        };
    let gave_way = down >= threshold;
    let peers = if gave_way && threshold > 1 {
        let mut p: Vec<EntityId> = members
            .iter()
            .copied()
            .filter(|&y| y != prev && ev.is_down(y))
            .take(MAX_PEERS)
            .collect();
        p.dedup();
        p
    } else {
        Vec::new()
    };
    let cause = (!gave_way).then(|| cause(c, ev, failed, x));
    Link {
        kind,
        size,
        down,
        threshold,
        peers,
        cause,
    }
}

/// Why `x` is DOWN, when the group on the chain is not the reason.
fn cause(c: &Circuit, ev: &Evaluator, failed: &[EntityId], x: EntityId) -> Cause {
    if failed.contains(&x) {
        return Cause::Failed;
    }
    for (&v, &k) in c.inputs(x).iter().zip(c.input_kinds(x)) {
        if !ev.is_down(v) {
            continue;
        }
        if !c.is_gate(v) {
            return Cause::Reads(k, v);
        }
        if let Some(&y) = c.inputs(v).iter().find(|&&y| ev.is_down(y)) {
            return Cause::Reads(k, y);
        }
    }
    Cause::AlwaysDown
}
