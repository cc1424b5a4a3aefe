//! Waivers against findings: which findings (or culprits) they accept,
//! and which waivers accepted nothing at all.

use crate::analysis::Analysis;
use crate::input::diag::InputError;
use crate::rules::finding::Finding;
use rustc_hash::FxHashMap as HashMap;

/// Waives `f` when an in-force waiver of its rule on its subject accepts
/// the whole finding, or, between them, every one of its culprits. A
/// waiver with `culprits` accepts only those ("we know we have one
/// site"): the rack and the SAN behind the same service still fail.
pub(super) fn apply(a: &Analysis, f: &mut Finding) {
    let m = a.model;
    let live = m
        .get(f.subject)
        .waivers
        .iter()
        .filter(|w| w.rule == f.rule && w.until.as_ref().is_none_or(|u| *u >= a.today));
    let mut reason = None;
    for w in live {
        match &w.culprits {
            None => {
                f.waived = Some(w.reason.clone());
                return;
            }
            Some(ids) => {
                let before = f.waived_culprits.len();
                f.waived_culprits.extend(
                    f.culprits
                        .iter()
                        .filter(|&&c| ids.iter().any(|id| id == m.name(c))),
                );
                if f.waived_culprits.len() > before {
                    reason.get_or_insert_with(|| w.reason.clone());
                }
            }
        }
    }
    f.waived_culprits.sort_by(|&x, &y| m.name(x).cmp(m.name(y)));
    f.waived_culprits.dedup();
    if !f.culprits.is_empty() && f.waived_culprits.len() == f.culprits.len() {
        f.waived = reason;
    } else if !f.waived_culprits.is_empty() {
        let names: Vec<String> = f
            .waived_culprits
            .iter()
            .map(|&c| format!("`{}`", m.name(c)))
            .collect();
        let note = format!(
            "a waiver accepts {} ({}); the other culprits still fail",
            names.join(", "),
            reason.unwrap_or_default()
        );
        f.help = Some(match f.help.take() {
            Some(h) => format!("{h}\n{note}"),
            None => note,
        });
    }
}

/// Waivers in force that accepted nothing: no finding of their rule on
/// their entity, or, for a waiver with `culprits`, none of those among the
/// finding's culprits. Expired ones are left to `expired-waiver`.
pub(super) fn unused(a: &Analysis, findings: &[Finding]) -> Vec<InputError> {
    let m = a.model;
    // One pass over the findings: an estate can have many of both.
    let mut found: HashMap<(u32, &str), Vec<&Finding>> = HashMap::default();
    for f in findings {
        found
            .entry((f.subject, f.rule.as_str()))
            .or_default()
            .push(f);
    }
    let mut out = Vec::new();
    for (i, e) in m.entities.iter().enumerate() {
        for w in &e.waivers {
            if w.until.as_ref().is_some_and(|u| *u < a.today) {
                continue;
            }
            let hits = found.get(&(i as u32, w.rule.as_str()));
            let used = hits.is_some_and(|fs| match &w.culprits {
                None => true,
                Some(ids) => fs.iter().any(|f| {
                    f.culprits
                        .iter()
                        .any(|&c| ids.iter().any(|id| id == m.name(c)))
                }),
            });
            if used {
                continue;
            }
            let (label, help) = match (&w.culprits, hits) {
                (Some(_), Some(_)) => (
                    "accepts no culprit of the finding",
                    "none of these culprits takes the service down any more: delete the waiver or name the culprits that do",
                ),
                _ => (
                    "waives no finding",
                    "the problem is gone (or was never there): delete the waiver",
                ),
            };
            out.push(
                InputError::at(
                    "unused-waiver",
                    w.span,
                    format!(
                        "the waiver of `{}` on `{}` suppresses nothing",
                        w.rule, e.id
                    ),
                )
                .label(label)
                .help(help)
                .warning(),
            );
        }
    }
    out
}
