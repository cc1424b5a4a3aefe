//! Everything the rules read, computed once per run and shared.

use crate::engine::KillSets;
use crate::graph::Circuit;
use crate::model::{Date, EntityId, Kind, Model};
use std::sync::OnceLock;

pub struct Analysis<'m> {
    pub model: &'m Model,
    pub circuit: Circuit,
    /// The date waivers expire against.
    pub today: Date,
    kill: OnceLock<KillSets>,
    cycles: OnceLock<Vec<Vec<EntityId>>>,
}

impl<'m> Analysis<'m> {
    pub fn new(model: &'m Model, today: Date) -> Self {
        Analysis {
            model,
            circuit: Circuit::build(model),
            today,
            kill: OnceLock::new(),
            cycles: OnceLock::new(),
        }
    }

    /// Single-failure kill sets with nothing failed.
    pub fn kill(&self) -> &KillSets {
        self.kill
            .get_or_init(|| KillSets::compute(&self.circuit, &[]))
    }

    pub fn cycles(&self) -> &[Vec<EntityId>] {
        self.cycles.get_or_init(|| self.circuit.cycles())
    }

    /// UP with nothing failed.
    pub fn is_up(&self, x: EntityId) -> bool {
        !self.kill().is_down(x)
    }

    /// The single points of failure of `x`, sorted by id (empty when `x`
    /// is DOWN with nothing failed).
    pub fn spofs(&self, x: EntityId) -> Vec<EntityId> {
        let mut v = self.kill().killers(x);
        self.model.sort_by_name(&mut v);
        v
    }

    pub fn services(&self) -> impl Iterator<Item = EntityId> + '_ {
        self.model.of_kind(Kind::Service)
    }
}
