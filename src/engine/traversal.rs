//! petgraph's graph traits over the circuit's own arrays, so that its
//! iterative algorithms (`kosaraju_scc`) run on the circuit as it is
//! instead of on a copy: at a million entities a petgraph copy costs as
//! much memory as the circuit itself.

use super::circuit::{Circuit, NodeId};
use fixedbitset::FixedBitSet;
use petgraph::Direction;
use petgraph::visit::{
    GraphBase, IntoNeighbors, IntoNeighborsDirected, IntoNodeIdentifiers, Visitable,
};
use std::iter::Copied;
use std::slice::Iter;

impl GraphBase for Circuit {
    type NodeId = NodeId;
    type EdgeId = (NodeId, NodeId);
}

impl Visitable for Circuit {
    type Map = FixedBitSet;

    fn visit_map(&self) -> FixedBitSet {
        FixedBitSet::with_capacity(self.len())
    }

    fn reset_map(&self, map: &mut FixedBitSet) {
        map.clear();
        map.grow(self.len());
    }
}

/// Edges run from a node to the inputs its DOWN condition reads.
impl<'a> IntoNeighbors for &'a Circuit {
    type Neighbors = Copied<Iter<'a, NodeId>>;

    fn neighbors(self, x: NodeId) -> Self::Neighbors {
        self.inputs(x).iter().copied()
    }
}

impl<'a> IntoNeighborsDirected for &'a Circuit {
    type NeighborsDirected = Copied<Iter<'a, NodeId>>;

    fn neighbors_directed(self, x: NodeId, d: Direction) -> Self::NeighborsDirected {
        match d {
            Direction::Outgoing => self.inputs(x).iter().copied(),
            Direction::Incoming => self.readers(x).iter().copied(),
        }
    }
}

impl IntoNodeIdentifiers for &Circuit {
    type NodeIdentifiers = std::ops::Range<NodeId>;

    fn node_identifiers(self) -> Self::NodeIdentifiers {
        0..self.len() as NodeId
    }
}
