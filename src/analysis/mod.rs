//! Everything the rules and commands read, computed once per run and
//! shared: the circuit, its components, and the cut-set families of each
//! order that someone asked for.

pub mod availability;
pub mod graph;
pub mod paths;
pub mod power;
pub mod recovery;

use crate::engine::{Bounds, Circuit, CutSets, MAX_FAMILY, MAX_ORDER, NodeId, Scope, TooLarge};
use crate::model::{Date, EntityId, Kind, Model};
use availability::{Defaults, Estimate};
use std::sync::{Arc, OnceLock};

/// The order `slo-unmet` estimates at unless the config says otherwise.
pub const DEFAULT_ORDER: usize = 2;

/// Families shared with the whole run, or computed for a few roots.
pub enum Shared<'a> {
    All(&'a CutSets),
    Below(CutSets),
}

impl std::ops::Deref for Shared<'_> {
    type Target = CutSets;

    fn deref(&self) -> &CutSets {
        match self {
            Shared::All(c) => c,
            Shared::Below(c) => c,
        }
    }
}

pub struct Analysis<'m> {
    pub model: &'m Model,
    pub circuit: Arc<Circuit>,
    /// The date waivers expire against.
    pub today: Date,
    /// Availability of units that declare none.
    pub defaults: Defaults,
    /// The order of the availability estimate `slo-unmet` uses.
    pub order: usize,
    /// Most cut sets one family may hold (see `engine::MAX_FAMILY`).
    pub max_cut_sets: usize,
    components: OnceLock<Vec<Vec<NodeId>>>,
    cycles: OnceLock<Vec<Vec<EntityId>>>,
    /// Families of order 1..=MAX_ORDER, each computed on first use.
    cuts: [OnceLock<Result<CutSets, TooLarge>>; MAX_ORDER],
    estimates: OnceLock<Result<Vec<Option<Estimate>>, TooLarge>>,
    /// Recovery defaults (FORMAT §8), from the config.
    pub recovery: recovery::Defaults,
    setup: OnceLock<recovery::Setup<'m>>,
    table: OnceLock<Result<recovery::Table, TooLarge>>,
    /// The first analysis limit a rule ran into (see [`Self::cuts_or_note`]).
    limit: OnceLock<TooLarge>,
}

impl<'m> Analysis<'m> {
    pub fn new(model: &'m Model, today: Date) -> Self {
        Analysis {
            model,
            circuit: Arc::new(Circuit::build(model)),
            today,
            defaults: Defaults::default(),
            order: DEFAULT_ORDER,
            max_cut_sets: MAX_FAMILY,
            components: OnceLock::new(),
            cycles: OnceLock::new(),
            cuts: Default::default(),
            estimates: OnceLock::new(),
            recovery: recovery::Defaults::default(),
            setup: OnceLock::new(),
            table: OnceLock::new(),
            limit: OnceLock::new(),
        }
    }

    pub fn with_defaults(mut self, defaults: Defaults) -> Self {
        self.defaults = defaults;
        self
    }

    pub fn with_recovery(mut self, d: recovery::Defaults) -> Self {
        self.recovery = d;
        self
    }

    /// The §8 rules resolved for this description.
    pub fn recovery_setup(&self) -> &recovery::Setup<'m> {
        self.setup.get_or_init(|| {
            recovery::Setup::new(
                self.model,
                self.circuit.clone(),
                self.components(),
                &self.recovery,
            )
        })
    }

    /// RTO and RPO of every service per kind of failure (computed once).
    pub fn recovery(&self) -> Result<&recovery::Table, TooLarge> {
        self.table
            .get_or_init(|| self.recovery_setup().table())
            .as_ref()
            .map_err(Clone::clone)
    }

    pub fn with_order(mut self, order: usize) -> Self {
        self.order = order.clamp(1, MAX_ORDER);
        self
    }

    pub fn with_max_cut_sets(mut self, limit: usize) -> Self {
        self.max_cut_sets = limit.max(1);
        self
    }

    /// The bounds of families of `order` in this run.
    pub fn bounds(&self, order: usize) -> Bounds {
        Bounds {
            order: order.clamp(1, MAX_ORDER),
            limit: self.max_cut_sets,
        }
    }

    /// Strongly connected components of the circuit, dependencies first.
    pub fn components(&self) -> &[Vec<NodeId>] {
        self.components.get_or_init(|| self.circuit.components())
    }

    /// Minimal cut sets of every node up to `order` units (1 to
    /// [`MAX_ORDER`]), with nothing failed.
    pub fn cuts(&self, order: usize) -> Result<&CutSets, TooLarge> {
        let order = order.clamp(1, MAX_ORDER);
        self.cuts[order - 1]
            .get_or_init(|| {
                CutSets::compute(
                    &self.circuit,
                    self.components(),
                    self.bounds(order),
                    &Scope::default(),
                )
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The families of `order` below `roots` only: what one rule needs
    /// when it reads a few services (the whole estate's families when
    /// something already computed them).
    pub fn cuts_below(&self, order: usize, roots: &[NodeId]) -> Result<Shared<'_>, TooLarge> {
        if let Some(Ok(all)) = self.cuts[order.clamp(1, MAX_ORDER) - 1].get() {
            return Ok(Shared::All(all));
        }
        let scope = Scope {
            roots: Some(roots),
            ..Scope::default()
        };
        CutSets::compute(&self.circuit, self.components(), self.bounds(order), &scope)
            .map(Shared::Below)
    }

    /// Like [`cuts`](Self::cuts) for rules: a rule that cannot get its
    /// families skips its check, and the run reports the limit (see
    /// [`limit`](Self::limit)) instead of passing in silence.
    pub fn cuts_or_note(&self, order: usize) -> Option<&CutSets> {
        match self.cuts(order) {
            Ok(cs) => Some(cs),
            Err(e) => {
                self.note_limit(e);
                None
            }
        }
    }

    /// Records that a rule ran into an analysis limit (the first one is
    /// reported).
    pub fn note_limit(&self, e: TooLarge) {
        let _ = self.limit.set(e);
    }

    /// The analysis limit some rule ran into, if any.
    pub fn limit(&self) -> Option<&TooLarge> {
        self.limit.get()
    }

    /// Single-failure families: never too large (a family of single units
    /// is at most the estate).
    pub fn cut_sets(&self) -> &CutSets {
        match self.cuts(1) {
            Ok(cs) => cs,
            Err(e) => unreachable!("order-1 families have no size limit: {e}"),
        }
    }

    /// Availability estimates of every service at the analysis's order
    /// (computed for all on first use, in parallel).
    pub fn estimates(&self) -> Result<&[Option<Estimate>], TooLarge> {
        self.estimates
            .get_or_init(|| self.estimates_at(self.order))
            .as_ref()
            .map(Vec::as_slice)
            .map_err(Clone::clone)
    }

    /// Estimates of every service at `order`, indexed by entity id.
    pub fn estimates_at(&self, order: usize) -> Result<Vec<Option<Estimate>>, TooLarge> {
        use rayon::prelude::*;
        let cs = self.cuts(order)?;
        let services: Vec<EntityId> = self.services().collect();
        let estimates: Vec<(EntityId, Estimate)> = services
            .par_iter()
            .map(|&s| (s, availability::estimate(self.model, cs, &self.defaults, s)))
            .collect();
        let mut v = vec![None; self.model.len()];
        for (s, e) in estimates {
            v[s as usize] = Some(e);
        }
        Ok(v)
    }

    pub fn cycles(&self) -> &[Vec<EntityId>] {
        self.cycles.get_or_init(|| {
            let mut out = Vec::new();
            for scc in self.components() {
                if let Some(ids) = self.circuit.cycle_of(scc) {
                    out.push(ids);
                }
            }
            out
        })
    }

    /// UP with nothing failed.
    pub fn is_up(&self, x: EntityId) -> bool {
        !self.cut_sets().is_down(x)
    }

    /// The single points of failure of `x`, sorted by id (empty when `x`
    /// is DOWN with nothing failed).
    pub fn spofs(&self, x: EntityId) -> Vec<EntityId> {
        let mut v = self.cut_sets().killers(x);
        self.model.sort_by_name(&mut v);
        v
    }

    pub fn services(&self) -> impl Iterator<Item = EntityId> + '_ {
        self.model.of_kind(Kind::Service)
    }
}
