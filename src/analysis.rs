//! Everything the rules read, computed once per run and shared.

use crate::availability::{self, Defaults, Estimate};
use crate::engine::KillSets;
use crate::graph::Circuit;
use crate::model::{Date, EntityId, Kind, Model};
use std::sync::OnceLock;

pub struct Analysis<'m> {
    pub model: &'m Model,
    pub circuit: Circuit,
    /// The date waivers expire against.
    pub today: Date,
    /// Availability of units that declare none.
    pub defaults: Defaults,
    kill: OnceLock<KillSets>,
    cycles: OnceLock<Vec<Vec<EntityId>>>,
    estimates: OnceLock<Vec<Option<Estimate>>>,
}

impl<'m> Analysis<'m> {
    pub fn new(model: &'m Model, today: Date) -> Self {
        Analysis {
            model,
            circuit: Circuit::build(model),
            today,
            defaults: Defaults::default(),
            kill: OnceLock::new(),
            cycles: OnceLock::new(),
            estimates: OnceLock::new(),
        }
    }

    pub fn with_defaults(mut self, defaults: Defaults) -> Self {
        self.defaults = defaults;
        self
    }

    /// Availability estimate of a service (computed for all on first use).
    pub fn estimate(&self, s: EntityId) -> &Estimate {
        let all = self.estimates.get_or_init(|| {
            use rayon::prelude::*;
            self.kill();
            let services: Vec<EntityId> = self.services().collect();
            let estimates: Vec<(EntityId, Estimate)> = services
                .par_iter()
                .map(|&s| {
                    let e = availability::estimate(
                        self.model,
                        &self.circuit,
                        &self.defaults,
                        s,
                        self.is_up(s),
                    );
                    (s, e)
                })
                .collect();
            let mut v = vec![None; self.model.len()];
            for (s, e) in estimates {
                v[s as usize] = Some(e);
            }
            v
        });
        all[s as usize]
            .as_ref()
            .expect("estimates exist for services")
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
