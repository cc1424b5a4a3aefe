//! Templates: the code half of a rule. Each takes typed parameters from a
//! rule file and turns the shared analysis into hits. One file each; the
//! doc comment of each says what it checks and why.

mod cluster_capacity;
mod colocation;
mod cycle;
mod data_copies;
mod described;
mod expired_waiver;
mod field;
mod ha_claim;
mod never_healthy;
mod power;
mod recovery;
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

/// A template as the rest of the program knows it: its name in rule files,
/// its parameters and what it checks (for `faultline rules` and
/// docs/rules.md), and how to build it from a rule's parameters. Each
/// template file declares its own; a new template is a file and one line
/// of [`REGISTRY`].
pub struct Registered {
    pub name: &'static str,
    /// "select?, kind, min? (2-4)": `?` marks an optional parameter.
    pub params: &'static str,
    pub doc: &'static str,
    pub build: fn(&Params) -> Result<Box<dyn Template>, InputError>,
}

/// Every template, in the order `faultline rules` lists them.
pub const REGISTRY: &[Registered] = &[
    spof::SPOF,
    single_instance::SINGLE_INSTANCE,
    ha_claim::HA_CLAIM,
    colocation::COLOCATION,
    data_copies::DATA_COPIES,
    described::DESCRIBED,
    power::OVERLOAD,
    power::FAILOVER_OVERLOAD,
    cluster_capacity::CLUSTER_CAPACITY,
    cycle::CYCLE,
    never_healthy::NEVER_HEALTHY,
    expired_waiver::EXPIRED_WAIVER,
    slo::SLO,
    recovery::RTO,
    recovery::RPO,
    field::FIELD,
    spread::SPREAD,
    separation::SEPARATION,
];

/// The template a rule file names, built from its parameters.
pub fn build(name: &str, at: Span, p: &Params) -> Result<Box<dyn Template>, InputError> {
    match REGISTRY.iter().find(|t| t.name == name) {
        Some(t) => (t.build)(p),
        None => {
            let names: Vec<&str> = REGISTRY.iter().map(|t| t.name).collect();
            Err(
                InputError::at("unknown-template", at, format!("unknown template `{name}`"))
                    .suggest(
                        name,
                        names.iter().copied(),
                        format!("templates are: {}", names.join(", ")),
                    ),
            )
        }
    }
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
