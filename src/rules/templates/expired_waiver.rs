//! A waiver past its `until` date. Waivers are promises to fix something
//! later; an expired one stops waiving (its findings count again) and is
//! itself reported so the promise gets renewed or kept.

use super::Registered;
use super::Template;
use crate::analysis::Analysis;
use crate::rules::finding::Hit;

/// The registry's entry (see `templates/mod.rs`).
pub const EXPIRED_WAIVER: Registered = Registered {
    name: "expired-waiver",
    params: "",
    doc: "Waivers past their until date.",
    build: |_| Ok(Box::new(ExpiredWaiver)),
};

pub struct ExpiredWaiver;

impl Template for ExpiredWaiver {
    fn check(&self, a: &Analysis) -> Vec<Hit> {
        let m = a.model;
        let mut hits = Vec::new();
        for id in m.ids() {
            let e = m.get(id);
            for w in &e.waivers {
                let Some(until) = &w.until else { continue };
                if *until < a.today {
                    hits.push(Hit {
                        subject: id,
                        message: format!(
                            "the waiver of `{}` on `{}` expired on {until}; its findings count again",
                            w.rule, e.id
                        ),
                        help: Some("fix the finding and delete the waiver, or renew it with a new `until` and a reason".into()),
                        notes: vec![(w.span, "expired waiver".to_owned())],
                        ..Hit::default()
                    });
                }
            }
        }
        hits
    }
}
