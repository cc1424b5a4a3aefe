//! The dependency graph as a reader sees it: edges labelled with the field
//! they come from, an entity's cone, and the part of a service's cone that
//! leads to its culprits. `report::graph` draws these views; nothing here
//! knows a picture language.

use crate::engine::{Circuit, GateKind};
use crate::model::{EntityId, Kind, Model};
use std::collections::{BTreeMap, BTreeSet, HashSet, VecDeque};

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Edge {
    pub from: EntityId,
    pub to: EntityId,
    pub label: &'static str,
    /// The owner survives this member's loss on its own.
    pub redundant: bool,
}

/// What to draw.
#[derive(Debug, Default)]
pub struct View {
    /// In definition order.
    pub nodes: Vec<EntityId>,
    pub edges: Vec<Edge>,
    /// Drawn red.
    pub culprits: HashSet<EntityId>,
    /// Drawn with a red outline (services with a SPOF).
    pub flagged: HashSet<EntityId>,
    /// A line to add as a comment (what was left out).
    pub note: Option<String>,
}

/// Which field of `owner` an edge to `member` of a gate of kind `k` comes
/// from.
pub fn edge_label(model: &Model, owner: EntityId, k: GateKind, member: EntityId) -> &'static str {
    let e = model.get(owner);
    match k {
        GateKind::Power => "power",
        GateKind::Network => "network",
        GateKind::Uplinks => "uplinks",
        GateKind::ClusterHosts => "cluster",
        GateKind::FaultTolerant => {
            if e.ft_secondary == Some(member) {
                "ft_secondary"
            } else {
                "host"
            }
        }
        GateKind::Instances => "instances",
        GateKind::AllOf => {
            if e.site == Some(member) {
                "site"
            } else if e.rack == Some(member) {
                "rack"
            } else if e.feed == Some(member) {
                "feed"
            } else if e.host == Some(member) {
                "host"
            } else if e.depends_on.contains(&member) {
                "depends_on"
            } else if e.requires.contains(&member) {
                "requires"
            } else {
                // Only a vm has other all-of inputs: its cluster's.
                "cluster requires"
            }
        }
    }
}

/// Edges among `nodes`, one per (owner, member), solid when any gate makes
/// the member a lone dependency.
fn edges_among(model: &Model, circuit: &Circuit, nodes: &BTreeSet<EntityId>) -> Vec<Edge> {
    let mut by_pair: BTreeMap<(EntityId, EntityId), Edge> = BTreeMap::new();
    for &owner in nodes {
        for g in circuit.groups(owner) {
            for &m in g.members {
                if !nodes.contains(&m) {
                    continue;
                }
                let e = Edge {
                    from: owner,
                    to: m,
                    label: edge_label(model, owner, g.kind, m),
                    redundant: g.threshold > 1,
                };
                by_pair
                    .entry((owner, m))
                    .and_modify(|old| {
                        if old.redundant && !e.redundant {
                            *old = e.clone();
                        }
                    })
                    .or_insert(e);
            }
        }
    }
    by_pair.into_values().collect()
}

/// A floating vm runs on any host of its cluster, so the circuit has an
/// edge from it to every host: a pooled estate's picture would be a
/// thicket of vms times hosts. Drawn instead: one edge from the vm to its
/// cluster (added as a node), and one from the cluster to each host.
fn through_clusters(model: &Model, nodes: &mut BTreeSet<EntityId>, edges: Vec<Edge>) -> Vec<Edge> {
    let mut by_pair: BTreeMap<(EntityId, EntityId), Edge> = BTreeMap::new();
    let mut keep = |e: Edge| {
        by_pair
            .entry((e.from, e.to))
            .and_modify(|old| {
                if old.redundant && !e.redundant {
                    *old = e.clone();
                }
            })
            .or_insert(e);
    };
    for e in edges {
        let via = match e.label {
            "cluster" => model.get(e.from).cluster,
            _ => None,
        };
        let Some(c) = via else {
            keep(e);
            continue;
        };
        nodes.insert(c);
        keep(Edge {
            from: e.from,
            to: c,
            label: "cluster",
            redundant: e.redundant,
        });
        keep(Edge {
            from: c,
            to: e.to,
            label: "hosts",
            redundant: e.redundant,
        });
    }
    by_pair.into_values().collect()
}

/// Everything `root` reaches through its gates (its cone), root included.
pub fn reach(circuit: &Circuit, root: EntityId) -> BTreeSet<EntityId> {
    let mut seen = BTreeSet::from([root]);
    let mut queue = VecDeque::from([root]);
    while let Some(x) = queue.pop_front() {
        for m in circuit.entity_inputs(x) {
            if seen.insert(m) {
                queue.push_back(m);
            }
        }
    }
    seen
}

/// The whole dependency graph (`root: None`) or one entity's cone, with
/// the given failures (a subject and the culprits that take it down)
/// marked (for a cone: only those about entities in it).
pub fn view<'f>(
    model: &Model,
    circuit: &Circuit,
    failures: impl IntoIterator<Item = (EntityId, &'f [EntityId])>,
    root: Option<EntityId>,
) -> View {
    let nodes: BTreeSet<EntityId> = match root {
        Some(r) => reach(circuit, r),
        None => model
            .ids()
            .filter(|&i| model.get(i).kind() != Kind::Cluster)
            .collect(),
    };
    let mut nodes = nodes;
    let edges = edges_among(model, circuit, &nodes);
    let edges = through_clusters(model, &mut nodes, edges);
    let mut v = View {
        edges,
        ..View::default()
    };
    for (subject, culprits) in failures {
        if nodes.contains(&subject) {
            v.flagged.insert(subject);
            v.culprits
                .extend(culprits.iter().filter(|c| nodes.contains(c)));
        }
    }
    v.nodes = nodes.into_iter().collect();
    v
}

/// At most this many nodes in a Markdown chain before falling back to
/// shortest paths.
pub const MAX_CHAIN_NODES: usize = 30;

/// The part of `service`'s cone that leads to `culprits`: every node on
/// some path from the service to a culprit. When that is more than
/// [`MAX_CHAIN_NODES`] (a site takes everything down), only one shortest
/// path to each culprit is kept, and culprits past the limit are left out
/// with a note.
pub fn chain(model: &Model, circuit: &Circuit, service: EntityId, culprits: &[EntityId]) -> View {
    let cone = reach(circuit, service);
    // Walk back from the culprits, staying inside the cone.
    let mut on_path: BTreeSet<EntityId> = BTreeSet::new();
    let mut queue: VecDeque<EntityId> = VecDeque::new();
    for &c in culprits.iter().filter(|c| cone.contains(c)) {
        if on_path.insert(c) {
            queue.push_back(c);
        }
    }
    while let Some(x) = queue.pop_front() {
        for owner in circuit.entity_readers(x) {
            if cone.contains(&owner) && on_path.insert(owner) {
                queue.push_back(owner);
            }
        }
    }
    let mut note = None;
    if on_path.len() > MAX_CHAIN_NODES {
        // Shortest paths: BFS parents from the service.
        let mut parent: BTreeMap<EntityId, EntityId> = BTreeMap::new();
        let mut seen = BTreeSet::from([service]);
        let mut q = VecDeque::from([service]);
        while let Some(x) = q.pop_front() {
            for m in circuit.entity_inputs(x) {
                if seen.insert(m) {
                    parent.insert(m, x);
                    q.push_back(m);
                }
            }
        }
        let mut kept = BTreeSet::from([service]);
        let mut left_out = 0;
        for &c in culprits.iter().filter(|c| cone.contains(c)) {
            let mut path = vec![c];
            let mut x = c;
            while let Some(&p) = parent.get(&x) {
                path.push(p);
                x = p;
            }
            let new = path.iter().filter(|n| !kept.contains(n)).count();
            if kept.len() + new > MAX_CHAIN_NODES && kept.len() > 1 {
                left_out += 1;
                continue;
            }
            kept.extend(path);
        }
        note = Some(if left_out > 0 {
            format!("shortest paths only; {left_out} more culprits not drawn")
        } else {
            "shortest paths only".to_owned()
        });
        on_path = kept;
        // Keep only the tree edges, so the picture stays a set of paths.
        let edges = edges_among(model, circuit, &on_path)
            .into_iter()
            .filter(|e| parent.get(&e.to) == Some(&e.from))
            .collect();
        let culprits = culprits
            .iter()
            .copied()
            .filter(|c| on_path.contains(c))
            .collect();
        return View {
            nodes: on_path.into_iter().collect(),
            edges,
            culprits,
            flagged: HashSet::from([service]),
            note,
        };
    }
    on_path.insert(service);
    View {
        edges: edges_among(model, circuit, &on_path),
        culprits: culprits
            .iter()
            .copied()
            .filter(|c| on_path.contains(c))
            .collect(),
        nodes: on_path.into_iter().collect(),
        flagged: HashSet::from([service]),
        note,
    }
}
