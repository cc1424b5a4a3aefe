//! Power budgets, in steady state and after one pdu or feed fails.
//!
//! A device with `draw_w` splits its draw evenly over its live power
//! inputs; a pdu carries what its devices draw, a feed what its live pdus
//! carry plus what devices draw from it directly. An A+B rack whose two
//! PDUs are each loaded to 60 % looks fine on a dashboard and trips the
//! surviving breaker the day one side goes: that is the failover check.
//!
//! The failover check fails each pdu and feed in turn, but incrementally:
//! only devices whose inputs changed state are re-split, so the cost is
//! the size of each failure's cone, not the estate.

use super::Registered;
use super::Template;
use crate::analysis::Analysis;
use crate::analysis::power::{devices, draws, exceeds, fmt_num, is_source, loads};
use crate::engine::Evaluator;
use crate::model::{EntityId, Kind};
use crate::rules::finding::Hit;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The registry's entry (see `templates/mod.rs`).
pub const FAILOVER_OVERLOAD: Registered = Registered {
    name: "power-failover-overload",
    params: "",
    doc: "PDUs and feeds above capacity_w after another PDU or feed fails.",
    build: |_| Ok(Box::new(FailoverOverload)),
};

/// The registry's entry (see `templates/mod.rs`).
pub const OVERLOAD: Registered = Registered {
    name: "power-overload",
    params: "",
    doc: "PDUs and feeds above capacity_w with nothing failed.",
    build: |_| Ok(Box::new(Overload)),
};

pub struct Overload;
pub struct FailoverOverload;

impl Template for Overload {
    fn check(&self, a: &Analysis) -> Vec<Hit> {
        let m = a.model;
        let down = a.cut_sets().base_down();
        let load = loads(m, down, &[]);
        m.ids()
            .filter(|&p| is_source(m, p))
            .filter_map(|p| {
                let cap = m.get(p).capacity_w?;
                exceeds(load[p as usize], cap).then(|| Hit {
                    subject: p,
                    message: format!(
                        "{} `{}` carries {} W in steady state, over its capacity of {} W",
                        m.get(p).kind().singular(),
                        m.get(p).id,
                        fmt_num(load[p as usize]),
                        fmt_num(cap)
                    ),
                    help: Some("move load to another pdu or feed, or raise the capacity if the breaker allows it".into()),
                    notes: m.get(p).field_span("capacity_w").map(|s| (s, "capacity".to_owned())).into_iter().collect(),
                    ..Hit::default()
                })
            })
            .collect()
    }
}

impl Template for FailoverOverload {
    fn check(&self, a: &Analysis) -> Vec<Hit> {
        let m = a.model;
        let base_down = a.cut_sets().base_down().to_vec();
        let base = loads(m, &base_down, &[]);
        let has_cap = |p: EntityId| m.get(p).capacity_w.is_some();
        if !m.ids().any(|p| is_source(m, p) && has_cap(p)) {
            return Vec::new();
        }
        let devs = devices(m);
        // Devices by power input, to find who re-splits.
        let mut fed: HashMap<EntityId, Vec<EntityId>> = HashMap::new();
        for &d in &devs {
            for &p in &m.get(d).power {
                fed.entry(p).or_default().push(d);
            }
        }
        let steady_over: HashSet<EntityId> = m
            .ids()
            .filter(|&p| {
                is_source(m, p)
                    && m.get(p)
                        .capacity_w
                        .is_some_and(|c| exceeds(base[p as usize], c))
            })
            .collect();
        // Per overloaded source: the failures that overload it and the worst load.
        let mut found: BTreeMap<EntityId, (Vec<EntityId>, f64, EntityId)> = BTreeMap::new();
        let mut ev = Evaluator::new(&a.circuit, &[]);
        let sources: Vec<EntityId> = m
            .ids()
            .filter(|&u| is_source(m, u) && !base_down[u as usize])
            .collect();
        for u in sources {
            let newly: Vec<EntityId> = ev
                .fail(&[u])
                .iter()
                .copied()
                .filter(|&x| !a.circuit.is_gate(x))
                .collect();
            let down = ev.down();
            // Devices whose draw changes: they lost an input.
            let mut touched: Vec<EntityId> = newly
                .iter()
                .filter_map(|x| fed.get(x))
                .flatten()
                .copied()
                .collect();
            touched.sort_unstable();
            touched.dedup();
            let mut delta: HashMap<EntityId, f64> = HashMap::new();
            for &d in &touched {
                for (p, w) in draws(m, d, &base_down, &[]) {
                    *delta.entry(p).or_default() -= w;
                }
                for (p, w) in draws(m, d, down, &[u]) {
                    *delta.entry(p).or_default() += w;
                }
            }
            // Feeds: lose the whole (base) load of pdus that went down, and
            // follow the change of pdus that stayed up.
            let mut feed_delta: HashMap<EntityId, f64> = HashMap::new();
            for (&p, &dw) in &delta {
                if m.get(p).kind() == Kind::Pdu
                    && !down[p as usize]
                    && let Some(f) = m.get(p).feed
                {
                    *feed_delta.entry(f).or_default() += dw;
                }
            }
            for &x in &newly {
                if m.get(x).kind() == Kind::Pdu
                    && !base_down[x as usize]
                    && let Some(f) = m.get(x).feed
                {
                    let direct_base = base[x as usize];
                    *feed_delta.entry(f).or_default() -= direct_base;
                }
            }
            for (f, dw) in feed_delta {
                *delta.entry(f).or_default() += dw;
            }
            for (&p, &dw) in &delta {
                if p == u || down[p as usize] || !is_source(m, p) || steady_over.contains(&p) {
                    continue;
                }
                let Some(cap) = m.get(p).capacity_w else {
                    continue;
                };
                let now = base[p as usize] + dw;
                if exceeds(now, cap) {
                    let entry = found.entry(p).or_insert((Vec::new(), 0.0, u));
                    entry.0.push(u);
                    if now > entry.1 {
                        entry.1 = now;
                        entry.2 = u;
                    }
                }
            }
            ev.reset();
        }
        found
            .into_iter()
            .map(|(p, (culprits, worst, worst_u))| {
                let e = m.get(p);
                let cap = e.capacity_w.unwrap_or(0.0);
                Hit {
                    subject: p,
                    message: format!(
                        "{} `{}` is overloaded when `{}` fails: it then carries {} W against a capacity of {} W",
                        e.kind().singular(),
                        e.id,
                        m.name(worst_u),
                        fmt_num(worst),
                        fmt_num(cap)
                    ),
                    culprits,
                    help: Some("keep each side of an A+B pair loaded below half of what one side can carry, or raise the capacity".into()),
                    notes: e.field_span("capacity_w").map(|s| (s, "capacity".to_owned())).into_iter().collect(),
                    culprit_label: Some("its failure overloads this".into()),
                }
            })
            .collect()
    }
}
