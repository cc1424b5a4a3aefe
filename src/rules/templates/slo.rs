//! A service whose estimated availability is below its declared SLO. The
//! estimate (see `availability.rs`) is what the architecture can deliver
//! if every unit meets its own availability; no operational excellence
//! makes up for a design that cannot reach the promise.

use super::Registered;
use super::{Template, list_names};
use crate::analysis::Analysis;
use crate::rules::finding::Hit;

/// The registry's entry (see `templates/mod.rs`).
pub const SLO: Registered = Registered {
    name: "slo",
    params: "",
    doc: "Services whose estimated availability is below their slo.",
    build: |_| Ok(Box::new(Slo)),
};

pub struct Slo;

/// A percentage with as many decimals as it needs (up to six), so that a
/// 99.99999% SLO never reads as 100%.
fn pct(x: f64) -> String {
    let s = format!("{:.6}", x * 100.0);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s}%")
}

impl Template for Slo {
    fn check(&self, a: &Analysis) -> Vec<Hit> {
        let m = a.model;
        let mut hits = Vec::new();
        let promised: Vec<u32> = a.services().filter(|&s| m.get(s).slo.is_some()).collect();
        if promised.is_empty() {
            return hits;
        }
        // Only the families below the services that promise something: on
        // a big estate a few services declare an SLO.
        let cuts = match a.cuts_below(a.order, &promised) {
            Ok(c) => c,
            Err(e) => {
                a.note_limit(e);
                return hits;
            }
        };
        for s in promised {
            let Some(slo) = m.get(s).slo.map(|p| p / 100.0) else {
                continue;
            };
            let est = crate::analysis::availability::estimate(m, &cuts, &a.defaults, s);
            if est.availability >= crate::analysis::availability::tidy(slo) {
                continue;
            }
            let top: Vec<&Vec<u32>> = est.contributors.iter().take(3).map(|(c, _)| c).collect();
            let culprits: Vec<u32> = top.iter().flat_map(|c| c.iter().copied()).collect();
            let biggest = top
                .iter()
                .map(|c| format!("{{{}}}", list_names(c.iter().map(|&u| m.name(u)), 3)))
                .collect::<Vec<_>>()
                .join(", ");
            let message = if a.is_up(s) {
                format!(
                    "service `{}` is estimated at {} availability, below its SLO of {}; biggest contributors: {biggest}",
                    m.get(s).id,
                    pct(est.availability),
                    pct(slo)
                )
            } else {
                format!(
                    "service `{}` is never up, so it cannot meet its SLO of {}",
                    m.get(s).id,
                    pct(slo)
                )
            };
            hits.push(Hit {
                subject: s,
                culprits,
                message,
                help: Some("remove the single points of failure first, then the likeliest pairs; `faultline availability` shows the estimate".into()),
                notes: m.get(s).field_span("slo").map(|sp| (sp, "promised here".to_owned())).into_iter().collect(),
                culprit_label: Some("contributes most to downtime".into()),
            });
        }
        hits
    }
}
