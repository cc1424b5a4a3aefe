//! Estimated availability of services from the availability of units.
//!
//! Unavailability of a service is approximated by the sum, over its minimal
//! cut sets of at most K units (K = 2 unless asked otherwise), of the
//! product of the members' unavailabilities: the rare-event approximation,
//! which assumes units fail independently and are observed in steady
//! state. Larger cut sets add products of K + 1 or more small numbers and
//! are left out.

use crate::engine::{CutSets, by_name};
use crate::model::{EntityId, Kind, Model};
/// Availability assumed for a unit that declares none, by kind.
#[derive(Clone, Debug, PartialEq)]
pub struct Defaults {
    pub by_kind: Vec<(Kind, f64)>,
}

impl Default for Defaults {
    fn default() -> Self {
        Defaults {
            by_kind: vec![
                (Kind::Site, 0.9999),
                (Kind::Feed, 0.9995),
                (Kind::Rack, 0.99999),
                (Kind::Pdu, 0.9999),
                (Kind::Switch, 0.9995),
                (Kind::Host, 0.999),
                (Kind::Vm, 0.9995),
                (Kind::Component, 0.999),
            ],
        }
    }
}

impl Defaults {
    pub fn of(&self, kind: Kind) -> f64 {
        self.by_kind
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(1.0, |(_, a)| *a)
    }

    pub fn set(&mut self, kind: Kind, a: f64) {
        match self.by_kind.iter_mut().find(|(k, _)| *k == kind) {
            Some(slot) => slot.1 = a,
            None => self.by_kind.push((kind, a)),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Estimate {
    pub availability: f64,
    /// Declared SLO as a fraction.
    pub slo: Option<f64>,
    /// Cut sets of the estimate's order with their contribution to
    /// unavailability, largest first.
    pub contributors: Vec<(Vec<EntityId>, f64)>,
}

/// Fractions printed without float noise (0.9995, not 0.9994999999999999).
pub fn tidy(x: f64) -> f64 {
    (x * 1e12).round() / 1e12
}

pub fn unit_availability(model: &Model, defaults: &Defaults, u: EntityId) -> f64 {
    let e = model.get(u);
    e.availability.unwrap_or_else(|| defaults.of(e.kind()))
}

/// The estimate for one service from the families of `cuts` (their order
/// is the estimate's); a service that is down with nothing failed has
/// availability 0.
pub fn estimate(model: &Model, cuts: &CutSets, defaults: &Defaults, s: EntityId) -> Estimate {
    let slo = model.get(s).slo.map(|p| tidy(p / 100.0));
    if cuts.is_down(s) {
        return Estimate {
            availability: 0.0,
            slo,
            contributors: Vec::new(),
        };
    }
    let mut contributors: Vec<(Vec<EntityId>, f64)> = by_name(model, &cuts.family(s))
        .into_iter()
        .map(|cut| {
            let p = cut_unavailability(model, defaults, &cut);
            (cut, p)
        })
        .collect();
    let unavailability: f64 = contributors.iter().map(|(_, p)| p).sum();
    // A cut set holding a unit that never fails contributes nothing.
    contributors.retain(|(_, p)| *p > 0.0);
    contributors.sort_by(|a, b| b.1.total_cmp(&a.1));
    Estimate {
        availability: tidy(1.0 - unavailability),
        slo,
        contributors,
    }
}

/// The probability that every unit of `cut` is down at once.
pub fn cut_unavailability(model: &Model, defaults: &Defaults, cut: &[EntityId]) -> f64 {
    cut.iter()
        .map(|&u| 1.0 - unit_availability(model, defaults, u))
        .product()
}
