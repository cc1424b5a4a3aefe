//! Power budgets under a failure set (FORMAT §4, "Power load"): what each
//! device draws from each of its live inputs, what each pdu and feed then
//! carries, and which of them exceed `capacity_w`. The power rules ask
//! with nothing failed and with each pdu or feed failed; `impact` asks
//! with the units an operator is about to take down.

use crate::model::{EntityId, Kind, Model};

/// Tolerance for "exceeds": loads are sums of fractions of watts.
pub fn exceeds(load: f64, cap: f64) -> bool {
    load > cap + 1e-9 * cap.abs().max(1.0)
}

/// Whether `x` carries load: a pdu or a feed.
pub fn is_source(m: &Model, x: EntityId) -> bool {
    matches!(m.get(x).kind(), Kind::Pdu | Kind::Feed)
}

/// Devices that draw power: hosts that are not standby, switches and
/// components with `draw_w` and at least one power input.
pub fn devices(m: &Model) -> Vec<EntityId> {
    m.ids()
        .filter(|&d| {
            let e = m.get(d);
            matches!(e.kind(), Kind::Host | Kind::Switch | Kind::Component)
                && !e.standby
                && e.draw_w.is_some()
                && !e.power.is_empty()
        })
        .collect()
}

/// What one device draws from each input under a DOWN state: its draw
/// split evenly over its live inputs, nothing when it is itself failed.
pub fn draws(m: &Model, d: EntityId, down: &[bool], failed: &[EntityId]) -> Vec<(EntityId, f64)> {
    let e = m.get(d);
    if failed.contains(&d) {
        return Vec::new();
    }
    let up: Vec<EntityId> = e
        .power
        .iter()
        .copied()
        .filter(|&p| !down[p as usize])
        .collect();
    if up.is_empty() {
        return Vec::new();
    }
    let share = e.draw_w.unwrap_or(0.0) / up.len() as f64;
    up.into_iter().map(|p| (p, share)).collect()
}

/// Loads of every pdu and feed under a DOWN state (indexed by entity).
pub fn loads(m: &Model, down: &[bool], failed: &[EntityId]) -> Vec<f64> {
    let mut direct = vec![0.0f64; m.len()];
    for d in devices(m) {
        for (p, w) in draws(m, d, down, failed) {
            direct[p as usize] += w;
        }
    }
    let mut load = direct.clone();
    for p in m.of_kind(Kind::Pdu) {
        if let Some(f) = m.get(p).feed
            && !down[p as usize]
        {
            load[f as usize] += direct[p as usize];
        }
    }
    load
}

/// A pdu or feed that is UP and carries more than its capacity.
#[derive(Clone, Debug, PartialEq)]
pub struct Overload {
    pub source: EntityId,
    /// Watts it carries.
    pub load: f64,
    /// Its `capacity_w`.
    pub capacity: f64,
}

/// Every pdu and feed that is UP under `down` (the DOWN state of the
/// failure set `failed`) and exceeds its `capacity_w`, in id order.
pub fn overloads(m: &Model, down: &[bool], failed: &[EntityId]) -> Vec<Overload> {
    let load = loads(m, down, failed);
    m.ids()
        .filter(|&p| is_source(m, p) && !down[p as usize])
        .filter_map(|p| {
            let capacity = m.get(p).capacity_w?;
            let load = load[p as usize];
            exceeds(load, capacity).then_some(Overload {
                source: p,
                load,
                capacity,
            })
        })
        .collect()
}

/// A number as the messages show it: whole numbers without decimals,
/// others with at most two ("5500", "1833.33").
pub fn fmt_num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{:.2}", x)
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_owned()
    }
}
