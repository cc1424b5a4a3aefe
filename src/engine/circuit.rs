//! The failure semantics compiled into a threshold circuit that grows with
//! the description, not with its fan-ins.
//!
//! Every DOWN condition of the format is "at least t of some inputs are
//! DOWN". An entity node is DOWN when any one of its inputs is (t = 1); its
//! inputs are the entities it needs outright (site, rack, feed, host,
//! `requires`, `depends_on`) and *gate nodes* for its redundant groups:
//! `power`, `network` and `uplinks` (t = the group's size), a floating vm's
//! cluster (t = the cluster's hosts), a fault-tolerant vm's two hosts
//! (t = 2), a service's instances (t = n - min_healthy + 1). A gate with
//! t = 0 is always DOWN (a cluster without hosts, a service that needs more
//! instances than it has).
//!
//! Gates are interned: identical groups are one node. The floating vms of a
//! cluster all read the cluster's one gate, and the hosts of a rack share
//! the gate of their pdu pair, so edges and memory grow with the references
//! written in the description (12,000 floating vms in a 3,000-host cluster
//! are 15,000 edges, not 36 million), and everything computed for a gate
//! (its cut sets) is computed once for all its readers.

use crate::model::{EntityId, Kind, Model};
use fixedbitset::FixedBitSet;
use rustc_hash::FxHashMap as HashMap;

/// A node of the circuit: entities are `0..entities`, gates follow.
pub type NodeId = u32;

/// Why an input exists, for explanations and pictures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GateKind {
    /// site, rack, feed, host, requires, depends_on: any one down is enough.
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

/// One group of an entity, as the format states it: DOWN when at least
/// `threshold` of `members` are DOWN.
#[derive(Clone, Copy, Debug)]
pub struct Group<'c> {
    pub kind: GateKind,
    pub threshold: u32,
    pub members: &'c [NodeId],
}

pub struct Circuit {
    entities: usize,
    /// Per node: DOWN when at least this many inputs are DOWN (1 for
    /// entities; a gate's own t, 0 for a gate that is always DOWN).
    threshold: Vec<u32>,
    /// Inputs of every node, compressed: node x reads
    /// `inputs[input_at[x]..input_at[x + 1]]`.
    input_at: Vec<u32>,
    inputs: Vec<NodeId>,
    /// The kind of each input edge of an entity (parallel to `inputs`;
    /// a gate's inputs take the gate's kind).
    input_kind: Vec<GateKind>,
    /// Readers, compressed the same way: the reverse edges.
    reader_at: Vec<u32>,
    readers: Vec<NodeId>,
    /// DOWN with nothing failed for a reason of its own: a standby host, a
    /// gate with t = 0.
    forced_down: FixedBitSet,
    /// Units that may be named as culprits: failure units that are not
    /// services (entities only).
    culprit: FixedBitSet,
}

/// Collects nodes and their inputs before they are compressed.
struct Builder {
    threshold: Vec<u32>,
    input_at: Vec<u32>,
    inputs: Vec<NodeId>,
    input_kind: Vec<GateKind>,
    /// Gate bodies, for the entity inputs pass: (kind, t, sorted members).
    gates: Vec<(GateKind, u32, Box<[NodeId]>)>,
    interned: HashMap<(GateKind, u32, Box<[NodeId]>), NodeId>,
}

impl Builder {
    /// The gate node for a group, shared with every identical group.
    fn gate(&mut self, entities: usize, kind: GateKind, t: u32, members: &[EntityId]) -> NodeId {
        let mut key: Box<[NodeId]> = members.into();
        key.sort_unstable();
        let next = (entities + self.gates.len()) as NodeId;
        let id = *self.interned.entry((kind, t, key.clone())).or_insert(next);
        if id == next {
            self.gates.push((kind, t, key));
        }
        id
    }
}

impl Circuit {
    pub fn build(model: &Model) -> Circuit {
        let n = model.len();
        let mut b = Builder {
            threshold: Vec::with_capacity(n),
            input_at: Vec::with_capacity(n + 1),
            inputs: Vec::with_capacity(2 * n),
            input_kind: Vec::with_capacity(2 * n),
            gates: Vec::new(),
            interned: HashMap::default(),
        };
        let mut forced = Vec::new();
        let mut culprit = FixedBitSet::with_capacity(n);
        let mut all: Vec<EntityId> = Vec::new();
        for id in model.ids() {
            let e = model.get(id);
            let kind = e.kind();
            culprit.set(id as usize, kind.is_unit() && kind != Kind::Service);
            b.threshold.push(1);
            b.input_at.push(b.inputs.len() as u32);
            if kind == Kind::Cluster {
                continue;
            }
            if kind == Kind::Host && e.standby {
                forced.push(id);
            }
            all.clear();
            all.extend(e.site);
            all.extend(e.rack);
            all.extend(e.feed);
            all.extend(&e.requires);
            all.extend(&e.depends_on);
            let mut groups: Vec<(GateKind, u32, &[EntityId])> = Vec::new();
            let pair;
            let hosts;
            if kind == Kind::Vm {
                // A cluster's `requires` (its datastore, SAN, licence
                // server) is needed by every vm it runs: floating ones and
                // those pinned to its hosts.
                let cluster = e.cluster.or(e.host.and_then(|h| model.get(h).cluster));
                if let Some(c) = cluster {
                    all.extend(&model.get(c).requires);
                }
                match (e.host, e.ft_secondary, e.cluster) {
                    (Some(h), None, _) => all.push(h),
                    (Some(h), Some(s), _) if h == s => all.push(h),
                    (Some(h), Some(s), _) => {
                        pair = [h, s];
                        groups.push((GateKind::FaultTolerant, 2, &pair));
                    }
                    (None, _, Some(c)) => {
                        hosts = &model.cluster_hosts[c as usize];
                        groups.push((GateKind::ClusterHosts, hosts.len() as u32, hosts));
                    }
                    (None, _, None) => {}
                }
            }
            all.sort_unstable();
            all.dedup();
            for &m in &all {
                b.inputs.push(m);
                b.input_kind.push(GateKind::AllOf);
            }
            for (gk, list) in [
                (GateKind::Power, &e.power),
                (GateKind::Network, &e.network),
                (GateKind::Uplinks, &e.uplinks),
            ] {
                if !list.is_empty() {
                    groups.push((gk, list.len() as u32, list));
                }
            }
            if kind == Kind::Service {
                let k = e.instances.len() as u32;
                let t = (k + 1).saturating_sub(e.min_healthy);
                groups.push((GateKind::Instances, t, &e.instances));
            }
            for (gk, t, members) in groups {
                if t == 1 {
                    // "Any one of these": plain inputs, no gate needed.
                    for &m in members {
                        b.inputs.push(m);
                        b.input_kind.push(gk);
                    }
                } else {
                    let g = b.gate(n, gk, t, members);
                    b.inputs.push(g);
                    b.input_kind.push(gk);
                }
            }
        }
        // Gate nodes after the entities.
        let gates = std::mem::take(&mut b.gates);
        for (i, (gk, t, members)) in gates.into_iter().enumerate() {
            if t == 0 {
                forced.push((n + i) as NodeId);
            }
            b.threshold.push(t);
            b.input_at.push(b.inputs.len() as u32);
            for &m in members.iter() {
                b.inputs.push(m);
                b.input_kind.push(gk);
            }
        }
        drop(b.interned);
        b.input_at.push(b.inputs.len() as u32);
        let total = b.threshold.len();
        let mut forced_down = FixedBitSet::with_capacity(total);
        for x in forced {
            forced_down.insert(x as usize);
        }
        culprit.grow(total);
        let (reader_at, readers) = reverse(total, &b.input_at, &b.inputs);
        b.inputs.shrink_to_fit();
        b.input_kind.shrink_to_fit();
        Circuit {
            entities: n,
            threshold: b.threshold,
            input_at: b.input_at,
            inputs: b.inputs,
            input_kind: b.input_kind,
            reader_at,
            readers,
            forced_down,
            culprit,
        }
    }

    /// Nodes: entities and gates.
    pub fn len(&self) -> usize {
        self.threshold.len()
    }

    pub fn is_empty(&self) -> bool {
        self.threshold.is_empty()
    }

    /// Entities are nodes `0..entities()`.
    pub fn entities(&self) -> usize {
        self.entities
    }

    pub fn is_gate(&self, x: NodeId) -> bool {
        x as usize >= self.entities
    }

    pub fn threshold(&self, x: NodeId) -> u32 {
        self.threshold[x as usize]
    }

    pub fn inputs(&self, x: NodeId) -> &[NodeId] {
        let (a, b) = (self.input_at[x as usize], self.input_at[x as usize + 1]);
        &self.inputs[a as usize..b as usize]
    }

    /// The kind of each of `inputs(x)`, in the same order.
    pub fn input_kinds(&self, x: NodeId) -> &[GateKind] {
        let (a, b) = (self.input_at[x as usize], self.input_at[x as usize + 1]);
        &self.input_kind[a as usize..b as usize]
    }

    pub fn readers(&self, x: NodeId) -> &[NodeId] {
        let (a, b) = (self.reader_at[x as usize], self.reader_at[x as usize + 1]);
        &self.readers[a as usize..b as usize]
    }

    pub fn is_forced_down(&self, x: NodeId) -> bool {
        self.forced_down.contains(x as usize)
    }

    /// A failure unit that may be named as a culprit (not a service, not a
    /// cluster, not a gate).
    pub fn is_culprit(&self, x: NodeId) -> bool {
        self.culprit.contains(x as usize)
    }

    /// The groups of entity `x` as the format states them: one all-of
    /// group per input that is not a gate (with that input's kind), one
    /// group per gate.
    pub fn groups(&self, x: EntityId) -> impl Iterator<Item = Group<'_>> + '_ {
        let from = self.input_at[x as usize] as usize;
        self.inputs(x).iter().enumerate().map(move |(i, &m)| {
            let kind = self.input_kind[from + i];
            if self.is_gate(m) {
                Group {
                    kind,
                    threshold: self.threshold(m),
                    members: self.inputs(m),
                }
            } else {
                Group {
                    kind,
                    threshold: 1,
                    members: std::slice::from_ref(&self.inputs[from + i]),
                }
            }
        })
    }

    /// Entities that `x`'s DOWN condition reads: the dependency graph's
    /// edges out of `x`, gates looked through.
    pub fn entity_inputs(&self, x: EntityId) -> impl Iterator<Item = EntityId> + '_ {
        self.groups(x).flat_map(|g| g.members.iter().copied())
    }

    /// Entities whose DOWN condition reads `x`, gates looked through.
    pub fn entity_readers(&self, x: EntityId) -> impl Iterator<Item = EntityId> + '_ {
        let direct = self
            .readers(x)
            .iter()
            .copied()
            .filter(|&r| !self.is_gate(r));
        let through = self
            .readers(x)
            .iter()
            .filter(|&&r| self.is_gate(r))
            .flat_map(|&g| self.readers(g).iter().copied());
        direct.chain(through)
    }

    /// Strongly connected components of the circuit (gates included), in
    /// reverse topological order: a node's inputs come in its own component
    /// or an earlier one. petgraph's `kosaraju_scc` is iterative, so a
    /// million-long chain does not overflow the stack, and it runs on the
    /// circuit itself through petgraph's graph traits (see `traversal.rs`)
    /// without copying it into a petgraph graph.
    pub fn components(&self) -> Vec<Vec<NodeId>> {
        petgraph::algo::kosaraju_scc(self)
    }

    /// The entities of component `scc` (of [`components`](Self::components))
    /// sorted by id, if it holds a cycle of the dependency graph: more than
    /// one node (gates only sit between entities), or an entity that reads
    /// itself.
    pub fn cycle_of(&self, scc: &[NodeId]) -> Option<Vec<EntityId>> {
        let cyclic = scc.len() > 1 || self.inputs(scc[0]).contains(&scc[0]);
        if !cyclic {
            return None;
        }
        let mut ids: Vec<EntityId> = scc.iter().copied().filter(|&x| !self.is_gate(x)).collect();
        ids.sort_unstable();
        Some(ids)
    }

    /// Components of the dependency graph that contain a cycle, each
    /// sorted by entity id.
    pub fn cycles(&self) -> Vec<Vec<EntityId>> {
        self.components()
            .iter()
            .filter_map(|scc| self.cycle_of(scc))
            .collect()
    }
}

/// Reverse edges of a compressed adjacency, compressed the same way.
fn reverse(nodes: usize, at: &[u32], to: &[NodeId]) -> (Vec<u32>, Vec<NodeId>) {
    let mut count = vec![0u32; nodes + 1];
    for &m in to {
        count[m as usize + 1] += 1;
    }
    for i in 0..nodes {
        count[i + 1] += count[i];
    }
    let reader_at = count.clone();
    let mut fill = count;
    let mut readers = vec![0 as NodeId; to.len()];
    for x in 0..nodes {
        for &m in &to[at[x] as usize..at[x + 1] as usize] {
            readers[fill[m as usize] as usize] = x as NodeId;
            fill[m as usize] += 1;
        }
    }
    (reader_at, readers)
}
