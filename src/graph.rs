//! The failure semantics compiled into a threshold circuit, and the
//! dependency graph it implies.
//!
//! Every DOWN condition of the format is "some group has at least t of its
//! members DOWN": an all-of requirement is a group with t = 1, an any-of
//! group (power, network, uplinks, a floating vm's hosts) has t = its size,
//! a service with n instances needing k healthy has t = n - k + 1, and a
//! fault-tolerant vm's pair of hosts has t = 2. A gate with t = 0 is always
//! DOWN (a floating vm in a cluster without hosts, a service that needs more
//! instances than it has). One uniform representation keeps the engine small
//! and lets the property tests hold it against a brute-force reading of the
//! same rules.

use crate::model::{EntityId, Kind, Model};
use petgraph::graph::{DiGraph, NodeIndex};

/// Why an edge exists, for explanations and graph pictures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GateKind {
    /// site, rack, feed, host, requires, depends_on: any member down is enough.
    AllOf,
    Power,
    Network,
    Uplinks,
    /// A floating vm runs on any host of its cluster.
    ClusterHosts,
    /// A fault-tolerant vm survives while its host or its secondary is up.
    FaultTolerant,
    /// A service needs `min_healthy` of its instances.
    Instances,
}

#[derive(Clone, Debug)]
pub struct Gate {
    pub kind: GateKind,
    /// DOWN when at least this many members are DOWN (0: always DOWN).
    pub threshold: u32,
    pub members: Vec<EntityId>,
}

/// The compiled semantics of a model: per node, its gates; and whether it is
/// DOWN with nothing failed for a reason of its own (a standby host).
pub struct Circuit {
    pub gates: Vec<Vec<Gate>>,
    pub forced_down: Vec<bool>,
    /// Per node, the gates (owner, index) that read it: the reverse edges
    /// that propagation walks.
    pub readers: Vec<Vec<(EntityId, u32)>>,
    /// Nodes that can be named as culprits: failure units that are not
    /// services (and never clusters).
    pub culprit: Vec<bool>,
}

impl Circuit {
    pub fn len(&self) -> usize {
        self.gates.len()
    }

    pub fn is_empty(&self) -> bool {
        self.gates.is_empty()
    }

    pub fn build(model: &Model) -> Circuit {
        let n = model.len();
        let mut gates: Vec<Vec<Gate>> = Vec::with_capacity(n);
        let mut forced_down = vec![false; n];
        let mut culprit = vec![false; n];
        for id in model.ids() {
            let e = model.get(id);
            let kind = e.kind();
            culprit[id as usize] = kind.is_unit() && kind != Kind::Service;
            let mut g = Vec::new();
            if kind == Kind::Cluster {
                gates.push(g);
                continue;
            }
            let mut all: Vec<EntityId> = Vec::new();
            all.extend(e.site);
            all.extend(e.rack);
            all.extend(e.feed);
            all.extend(&e.requires);
            all.extend(&e.depends_on);
            if kind == Kind::Vm {
                match (e.host, e.ft_secondary, e.cluster) {
                    (Some(h), None, _) => all.push(h),
                    (Some(h), Some(s), _) if h == s => all.push(h),
                    (Some(h), Some(s), _) => g.push(Gate {
                        kind: GateKind::FaultTolerant,
                        threshold: 2,
                        members: vec![h, s],
                    }),
                    (None, _, Some(c)) => {
                        let hosts = model.cluster_hosts[c as usize].clone();
                        g.push(Gate {
                            kind: GateKind::ClusterHosts,
                            threshold: hosts.len() as u32,
                            members: hosts,
                        });
                    }
                    (None, _, None) => {}
                }
            }
            all.sort_unstable();
            all.dedup();
            if !all.is_empty() {
                g.insert(
                    0,
                    Gate {
                        kind: GateKind::AllOf,
                        threshold: 1,
                        members: all,
                    },
                );
            }
            for (gk, list) in [
                (GateKind::Power, &e.power),
                (GateKind::Network, &e.network),
                (GateKind::Uplinks, &e.uplinks),
            ] {
                if !list.is_empty() {
                    g.push(Gate {
                        kind: gk,
                        threshold: list.len() as u32,
                        members: list.clone(),
                    });
                }
            }
            if kind == Kind::Service {
                let n = e.instances.len() as u32;
                g.push(Gate {
                    kind: GateKind::Instances,
                    threshold: (n + 1).saturating_sub(e.min_healthy),
                    members: e.instances.clone(),
                });
            }
            if kind == Kind::Host && e.standby {
                forced_down[id as usize] = true;
            }
            // One vector per entity: the slack of growing by pushes was
            // tens of MB on a 1M-entity estate.
            g.shrink_to_fit();
            gates.push(g);
        }
        let mut readers: Vec<Vec<(EntityId, u32)>> = vec![Vec::new(); n];
        for (owner, gs) in gates.iter().enumerate() {
            for (gi, g) in gs.iter().enumerate() {
                for &m in &g.members {
                    readers[m as usize].push((owner as EntityId, gi as u32));
                }
            }
        }
        readers.iter_mut().for_each(Vec::shrink_to_fit);
        Circuit {
            gates,
            forced_down,
            readers,
            culprit,
        }
    }

    /// The dependency graph: an edge from X to everything X's DOWN condition
    /// reads. Node index i is entity i.
    pub fn dependency_graph(&self) -> DiGraph<EntityId, GateKind> {
        let n = self.len();
        let edges: usize = self.gates.iter().flatten().map(|g| g.members.len()).sum();
        let mut g = DiGraph::with_capacity(n, edges);
        for i in 0..n {
            g.add_node(i as EntityId);
        }
        for (owner, gs) in self.gates.iter().enumerate() {
            for gate in gs {
                for &m in &gate.members {
                    g.add_edge(NodeIndex::new(owner), NodeIndex::new(m as usize), gate.kind);
                }
            }
        }
        g
    }

    /// Strongly connected components that contain a cycle (more than one
    /// node, or one node that reads itself), each sorted by entity id.
    /// petgraph's `kosaraju_scc` is iterative, so a million-long chain does
    /// not overflow the stack (its `tarjan_scc` would).
    pub fn cycles(&self) -> Vec<Vec<EntityId>> {
        let g = self.dependency_graph();
        let mut out = Vec::new();
        for scc in petgraph::algo::kosaraju_scc(&g) {
            let cyclic = scc.len() > 1 || {
                let v = scc[0];
                g.contains_edge(v, v)
            };
            if cyclic {
                let mut ids: Vec<EntityId> = scc.iter().map(|v| v.index() as EntityId).collect();
                ids.sort_unstable();
                out.push(ids);
            }
        }
        out
    }
}

/// The part of a circuit that one node's state depends on: everything it
/// reaches through its gates. Evaluating a service inside its cone gives
/// the same answer as in the whole estate, at a fraction of the cost.
pub struct Cone {
    pub circuit: Circuit,
    /// Local index to entity id; local 0 is the root.
    pub global: Vec<EntityId>,
}

impl Circuit {
    pub fn cone(&self, root: EntityId) -> Cone {
        let mut local: std::collections::HashMap<EntityId, u32> = std::collections::HashMap::new();
        let mut global = vec![root];
        local.insert(root, 0);
        let mut i = 0;
        while i < global.len() {
            let x = global[i];
            for g in &self.gates[x as usize] {
                for &m in &g.members {
                    local.entry(m).or_insert_with(|| {
                        global.push(m);
                        global.len() as u32 - 1
                    });
                }
            }
            i += 1;
        }
        let gates: Vec<Vec<Gate>> = global
            .iter()
            .map(|&x| {
                self.gates[x as usize]
                    .iter()
                    .map(|g| Gate {
                        kind: g.kind,
                        threshold: g.threshold,
                        members: g.members.iter().map(|m| local[m]).collect(),
                    })
                    .collect()
            })
            .collect();
        let mut readers: Vec<Vec<(EntityId, u32)>> = vec![Vec::new(); global.len()];
        for (owner, gs) in gates.iter().enumerate() {
            for (gi, g) in gs.iter().enumerate() {
                for &m in &g.members {
                    readers[m as usize].push((owner as EntityId, gi as u32));
                }
            }
        }
        Cone {
            circuit: Circuit {
                forced_down: global
                    .iter()
                    .map(|&x| self.forced_down[x as usize])
                    .collect(),
                culprit: global.iter().map(|&x| self.culprit[x as usize]).collect(),
                gates,
                readers,
            },
            global,
        }
    }
}
