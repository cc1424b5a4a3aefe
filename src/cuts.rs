//! Minimal cut sets: the sets of units whose joint failure takes a service
//! down, none of whose proper subsets does.
//!
//! Enumeration runs inside the service's cone (what it depends on), over
//! units that are up and are not single points of failure themselves (a
//! set holding a SPOF is never minimal beyond order 1). Sets are grown in
//! increasing index order on an incremental evaluator with undo, so each
//! candidate costs the propagation of one more failure; a set that already
//! takes the service down is recorded (if minimal) and never extended.

use crate::engine::{Evaluator, KillSets};
use crate::graph::Circuit;
use crate::model::{EntityId, Model};

/// Minimal cut sets of `root` with at most `max_order` members, as entity
/// ids; each set sorted by id string, the list by length then ids. Empty
/// when `root` is DOWN with nothing failed.
pub fn minimal_cuts(
    model: &Model,
    circuit: &Circuit,
    root: EntityId,
    max_order: usize,
) -> Vec<Vec<EntityId>> {
    let cone = circuit.cone(root);
    let c = &cone.circuit;
    let mut ev = Evaluator::new(c, &[]);
    if ev.is_down(0) || max_order == 0 {
        return Vec::new();
    }
    let spofs = KillSets::compute(c, &[]).killers(0);
    let mut found: Vec<Vec<u32>> = spofs.iter().map(|&u| vec![u]).collect();
    if max_order >= 2 {
        let mut is_spof = vec![false; c.len()];
        for &u in &spofs {
            is_spof[u as usize] = true;
        }
        let candidates: Vec<u32> = (0..c.len() as u32)
            .filter(|&u| c.culprit[u as usize] && !ev.is_down(u) && !is_spof[u as usize])
            .collect();
        // Minimal cut sets of order >= 2 that contain each local unit.
        let mut by_unit: Vec<Vec<usize>> = vec![Vec::new(); c.len()];
        let mut higher: Vec<Vec<u32>> = Vec::new();
        let mut set: Vec<u32> = Vec::new();
        pairs(&mut ev, &candidates, &mut higher, &mut by_unit);
        // Then level by level, so that every smaller cut is known when a
        // set is tested for minimality.
        for order in 3..=max_order {
            grow(
                &mut ev,
                &candidates,
                0,
                order,
                &mut set,
                &mut higher,
                &mut by_unit,
            );
        }
        found.extend(higher);
    }
    let mut out: Vec<Vec<EntityId>> = found
        .into_iter()
        .map(|s| {
            let mut g: Vec<EntityId> = s.iter().map(|&l| cone.global[l as usize]).collect();
            model.sort_by_name(&mut g);
            g
        })
        .collect();
    out.sort_by(|a, b| {
        a.len().cmp(&b.len()).then_with(|| {
            a.iter()
                .map(|&x| model.name(x))
                .cmp(b.iter().map(|&x| model.name(x)))
        })
    });
    out
}

/// Minimal cut sets of two units. Both members are non-SPOF candidates, so
/// any pair that takes the root down is minimal. Trying every pair is
/// quadratic in the cone; but for {u, v} to succeed where u and v alone
/// fail, some gate must count a member downed by u and one downed by v
/// (the first node their joint failure downs, and neither alone does,
/// needs both). So only pairs whose single failures touch a common gate
/// are tried.
fn pairs(
    ev: &mut Evaluator,
    candidates: &[u32],
    found: &mut Vec<Vec<u32>>,
    by_unit: &mut [Vec<usize>],
) {
    use rustc_hash::FxHashMap as HashMap;
    // Per candidate: the gates its failure reaches, with how many of their
    // members it downs. A gate needing `need` more members can only fire
    // for a pair whose two counts add up to `need` (an upper bound, as the
    // two may down the same member), so a 16-host cluster does not make
    // every pair of its hosts a candidate.
    let mut touched: Vec<Vec<(u32, u32)>> = Vec::with_capacity(candidates.len());
    let mut by_gate: HashMap<u32, Vec<(usize, u32)>> = HashMap::default();
    let mut need: HashMap<u32, u32> = HashMap::default();
    for (i, &u) in candidates.iter().enumerate() {
        let cp = ev.checkpoint();
        ev.fail(&[u]);
        let mut slots = ev.touched_since(cp).to_vec();
        ev.undo_to(cp);
        slots.sort_unstable();
        let mut counted: Vec<(u32, u32)> = Vec::new();
        for s in slots {
            match counted.last_mut() {
                Some((g, k)) if *g == s => *k += 1,
                _ => counted.push((s, 1)),
            }
        }
        for &(g, k) in &counted {
            by_gate.entry(g).or_default().push((i, k));
            need.entry(g).or_insert_with(|| ev.slot_need(g));
        }
        touched.push(counted);
    }
    let mut partners: Vec<usize> = Vec::new();
    for (i, &u) in candidates.iter().enumerate() {
        partners.clear();
        for &(g, k) in &touched[i] {
            let want = need[&g].saturating_sub(k);
            partners.extend(
                by_gate[&g]
                    .iter()
                    .filter(|&&(j, kj)| j > i && kj >= want)
                    .map(|&(j, _)| j),
            );
        }
        if partners.is_empty() {
            continue;
        }
        partners.sort_unstable();
        partners.dedup();
        let cp = ev.checkpoint();
        ev.fail(&[u]);
        for &j in &partners {
            let v = candidates[j];
            if ev.is_down(v) {
                continue;
            }
            let inner = ev.checkpoint();
            ev.fail(&[v]);
            if ev.is_down(0) {
                by_unit[u as usize].push(found.len());
                by_unit[v as usize].push(found.len());
                found.push(vec![u, v]);
            }
            ev.undo_to(inner);
        }
        ev.undo_to(cp);
    }
}

/// Depth-first over sets of exactly `order` members in increasing
/// candidate order, recording the minimal cuts among them. `set` is never
/// a cut set itself (so, failures being monotone, contains none).
fn grow(
    ev: &mut Evaluator,
    candidates: &[u32],
    from: usize,
    order: usize,
    set: &mut Vec<u32>,
    found: &mut Vec<Vec<u32>>,
    by_unit: &mut Vec<Vec<usize>>,
) {
    for i in from..candidates.len() {
        let u = candidates[i];
        if ev.is_down(u) {
            // Already down under `set`: adding it changes nothing.
            continue;
        }
        let cp = ev.checkpoint();
        ev.fail(&[u]);
        if ev.is_down(0) {
            if set.len() + 1 == order {
                let mut cut = set.clone();
                cut.push(u);
                // Minimal unless a smaller recorded cut (necessarily holding
                // u, as `set` holds none) sits inside it.
                let smaller = by_unit[u as usize]
                    .iter()
                    .any(|&k| found[k].iter().all(|x| cut.contains(x)));
                if !smaller {
                    for &x in &cut {
                        by_unit[x as usize].push(found.len());
                    }
                    found.push(cut);
                }
            }
        } else if set.len() + 1 < order {
            set.push(u);
            grow(ev, candidates, i + 1, order, set, found, by_unit);
            set.pop();
        }
        ev.undo_to(cp);
    }
}
