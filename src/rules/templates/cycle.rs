//! Entities that depend on each other in a loop. Availability analysis
//! settles a loop optimistically (nothing on it fails unless something
//! outside forces it), but a cold start cannot: the building-management
//! system that needs the feed it switches on stays dark after a blackout.

use super::{Template, list_names};
use crate::analysis::Analysis;
use crate::finding::Hit;
use crate::model::EntityId;
use std::collections::{HashMap, HashSet, VecDeque};

pub struct Cycle;

impl Template for Cycle {
    fn check(&self, a: &Analysis) -> Vec<Hit> {
        let m = a.model;
        a.cycles()
            .iter()
            .map(|scc| {
                let mut members = scc.clone();
                m.sort_by_name(&mut members);
                let subject = members[0];
                let path = loop_through(a, subject, scc);
                let shown: Vec<String> = path.iter().map(|&x| format!("`{}`", m.name(x))).collect();
                let message = if members.len() + 1 == path.len() {
                    format!("dependency cycle: {}", shown.join(" -> "))
                } else {
                    format!(
                        "dependency cycle among {} entities ({}), e.g. {}",
                        members.len(),
                        list_names(members.iter().map(|&x| m.name(x)), 6),
                        shown.join(" -> ")
                    )
                };
                Hit {
                    subject,
                    culprits: members,
                    message,
                    help: Some("break the loop: give one of them an independent supply (power, network, control) so a cold start can begin somewhere".into()),
                    culprit_label: Some("on the cycle".into()),
                    ..Hit::default()
                }
            })
            .collect()
    }
}

/// A shortest loop from `start` back to itself inside its component,
/// found breadth-first (no recursion: components can be huge).
fn loop_through(a: &Analysis, start: EntityId, scc: &[EntityId]) -> Vec<EntityId> {
    let inside: HashSet<EntityId> = scc.iter().copied().collect();
    let succ = |x: EntityId| {
        a.circuit.gates[x as usize]
            .iter()
            .flat_map(|g| g.members.iter().copied())
            .filter(|y| inside.contains(y))
            .collect::<Vec<_>>()
    };
    let mut parent: HashMap<EntityId, EntityId> = HashMap::new();
    let mut queue = VecDeque::new();
    for y in succ(start) {
        if y == start {
            return vec![start, start];
        }
        if parent.insert(y, start).is_none() {
            queue.push_back(y);
        }
    }
    while let Some(x) = queue.pop_front() {
        for y in succ(x) {
            if y == start {
                // Walk back from x to start, then read it forwards.
                let mut back = vec![x];
                let mut cur = x;
                while let Some(&p) = parent.get(&cur) {
                    if p == start {
                        break;
                    }
                    back.push(p);
                    cur = p;
                }
                back.reverse();
                let mut path = vec![start];
                path.extend(back);
                path.push(start);
                return path;
            }
            if let std::collections::hash_map::Entry::Vacant(v) = parent.entry(y) {
                v.insert(x);
                queue.push_back(y);
            }
        }
    }
    vec![start]
}
