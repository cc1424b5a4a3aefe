//! Entities that depend on each other in a loop. Availability analysis
//! settles a loop optimistically (nothing on it fails unless something
//! outside forces it), but a cold start cannot: the building-management
//! system that needs the feed it switches on stays dark after a blackout.

use super::Registered;
use super::{Template, list_names};
use crate::analysis::Analysis;
use crate::model::EntityId;
use crate::rules::finding::Hit;
use std::collections::{HashMap, HashSet, VecDeque};

/// The registry's entry (see `templates/mod.rs`).
pub const CYCLE: Registered = Registered {
    name: "dependency-cycle",
    params: "",
    doc: "Cycles in the dependency graph.",
    build: |_| Ok(Box::new(Cycle)),
};

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
                    format!("dependency cycle: {}", path_text(&shown))
                } else {
                    format!(
                        "dependency cycle among {} entities ({}), e.g. {}",
                        members.len(),
                        list_names(members.iter().map(|&x| m.name(x)), 6),
                        path_text(&shown)
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

/// Steps of a loop written out in a message; a longer loop shows its first
/// steps and its end (a generated estate can close a loop through a
/// million entities, and every one of them is still a culprit).
const MAX_PATH_SHOWN: usize = 12;

/// "`a` -> `b` -> `a`", or "`a` -> ... -> `j` -> ... (N more) -> `a`".
fn path_text(shown: &[String]) -> String {
    if shown.len() <= MAX_PATH_SHOWN {
        return shown.join(" -> ");
    }
    let head = MAX_PATH_SHOWN - 2;
    let hidden = shown.len() - head - 1;
    format!(
        "{} -> ... ({hidden} more) -> {}",
        shown[..head].join(" -> "),
        shown[shown.len() - 1]
    )
}

/// A shortest loop from `start` back to itself inside its component,
/// found breadth-first (no recursion: components can be huge).
fn loop_through(a: &Analysis, start: EntityId, scc: &[EntityId]) -> Vec<EntityId> {
    let inside: HashSet<EntityId> = scc.iter().copied().collect();
    let succ = |x: EntityId| {
        a.circuit
            .entity_inputs(x)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_loops_are_cut_in_the_message() {
        let names = |n: usize| -> Vec<String> {
            (0..n)
                .map(|i| format!("`c{i}`"))
                .chain(["`c0`".into()])
                .collect()
        };
        assert_eq!(path_text(&names(2)), "`c0` -> `c1` -> `c0`");
        let at_limit = path_text(&names(MAX_PATH_SHOWN - 1));
        assert!(!at_limit.contains("more"), "{at_limit}");
        assert_eq!(
            path_text(&names(1_000_000)),
            "`c0` -> `c1` -> `c2` -> `c3` -> `c4` -> `c5` -> `c6` -> `c7` -> `c8` -> `c9` -> ... (999990 more) -> `c0`"
        );
    }
}
