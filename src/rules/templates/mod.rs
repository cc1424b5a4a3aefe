//! Templates: the code half of a rule. Each takes typed parameters from a
//! rule file and turns the shared analysis into hits. One file each; the
//! doc comment of each says what it checks and why.

mod cluster_capacity;
mod colocation;
mod cycle;
mod data_copies;
mod expired_waiver;
mod field;
mod ha_claim;
mod never_healthy;
mod power;
mod separation;
mod single_instance;
mod slo;
mod spof;
mod spread;
#[cfg(test)]
mod tests;

use super::params::Params;
use crate::analysis::Analysis;
use crate::input::diag::InputError;
use crate::input::source::Span;
use crate::rules::finding::Hit;

pub trait Template: Send + Sync {
    fn check(&self, a: &Analysis) -> Vec<Hit>;

    /// `Some(N)` when each culprit of a finding takes its subject down
    /// with N - 1 others (1: single points of failure; N for `order: N`),
    /// so outputs can explain it with failure paths (taken under a cut set
    /// when N > 1, see `analysis::paths`). `None` for findings of any other
    /// sort.
    fn failure_order(&self) -> Option<usize> {
        None
    }
}

/// Template names, for `faultline rules` and did-you-mean.
pub const NAMES: &[&str] = &[
    "single-point-of-failure",
    "single-instance",
    "ha-claim",
    "colocation",
    "data-copies",
    "power-overload",
    "power-failover-overload",
    "cluster-capacity",
    "dependency-cycle",
    "never-healthy",
    "expired-waiver",
    "slo",
    "field",
    "spread",
    "separation",
];

/// Template reference: name, parameters, what it checks. Rendered into
/// `docs/rules.md` by `faultline rules --format markdown`.
pub const DOCS: &[(&str, &str, &str)] = &[
    (
        "single-point-of-failure",
        "select?, culprit_kinds?, order? (1-3)",
        "Services that one failure (or, with order N, N simultaneous failures) takes down; names the culprits and how each takes the service down.",
    ),
    (
        "single-instance",
        "select?",
        "Services with exactly one instance.",
    ),
    (
        "ha-claim",
        "mechanisms",
        "Services whose `ha` is one of the given words (any letter case).",
    ),
    (
        "colocation",
        "select?",
        "Services with two floating vms of one cluster that no anti_affinity list keeps apart.",
    ),
    (
        "data-copies",
        "select?",
        "Stateful services whose instances and backups one failure takes down together.",
    ),
    (
        "power-overload",
        "",
        "PDUs and feeds above capacity_w with nothing failed.",
    ),
    (
        "power-failover-overload",
        "",
        "PDUs and feeds above capacity_w after another PDU or feed fails.",
    ),
    (
        "cluster-capacity",
        "",
        "Clusters whose vms do not fit on their running hosts minus the largest.",
    ),
    ("dependency-cycle", "", "Cycles in the dependency graph."),
    (
        "never-healthy",
        "select?",
        "Services that are down with nothing failed.",
    ),
    ("expired-waiver", "", "Waivers past their until date."),
    (
        "slo",
        "",
        "Services whose estimated availability is below their slo.",
    ),
    (
        "field",
        "select?, assert, message?",
        "Entities for which the CEL expression `assert` is not true.",
    ),
    (
        "spread",
        "select?, kind, min? (2-4)",
        "Services whose instances fewer than `min` entities of `kind` can take down together.",
    ),
    (
        "separation",
        "a, b, kinds?",
        "Entities of `a` that share a failure unit (of `kinds`) with an entity of `b`.",
    ),
];

pub fn build(name: &str, at: Span, p: &Params) -> Result<Box<dyn Template>, InputError> {
    Ok(match name {
        "single-point-of-failure" => Box::new(spof::Spof::new(p)?),
        "single-instance" => Box::new(single_instance::SingleInstance::new(p)?),
        "ha-claim" => Box::new(ha_claim::HaClaim::new(p)?),
        "colocation" => Box::new(colocation::Colocation::new(p)?),
        "data-copies" => Box::new(data_copies::DataCopies::new(p)?),
        "power-overload" => Box::new(power::Overload),
        "power-failover-overload" => Box::new(power::FailoverOverload),
        "cluster-capacity" => Box::new(cluster_capacity::ClusterCapacity),
        "dependency-cycle" => Box::new(cycle::Cycle),
        "never-healthy" => Box::new(never_healthy::NeverHealthy::new(p)?),
        "expired-waiver" => Box::new(expired_waiver::ExpiredWaiver),
        "slo" => Box::new(slo::Slo),
        "field" => Box::new(field::Field::new(p)?),
        "spread" => Box::new(spread::Spread::new(p)?),
        "separation" => Box::new(separation::Separation::new(p)?),
        other => {
            let mut e = InputError::at(
                "unknown-template",
                at,
                format!("unknown template `{other}`"),
            );
            e = e.suggest(
                other,
                NAMES.iter().copied(),
                format!("templates are: {}", NAMES.join(", ")),
            );
            return Err(e);
        }
    })
}

/// "`a`, `b` and `c`", cut short after `max` names.
pub fn list_names<'a>(names: impl IntoIterator<Item = &'a str>, max: usize) -> String {
    let names: Vec<&str> = names.into_iter().collect();
    let shown: Vec<String> = names.iter().take(max).map(|n| format!("`{n}`")).collect();
    let more = names.len().saturating_sub(max);
    match (shown.as_slice(), more) {
        ([], _) => String::new(),
        ([one], 0) => one.clone(),
        (s, 0) => format!("{} and {}", s[..s.len() - 1].join(", "), s[s.len() - 1]),
        (s, m) => format!("{} and {m} more", s.join(", ")),
    }
}
