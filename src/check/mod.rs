//! One lint run: every rule over the analysis, waivers applied, findings
//! sorted. Pure: no I/O, so tests and every output format share it.

pub mod baseline;
pub mod config;
pub mod fingerprint;
pub mod limits;
pub mod paths;
pub mod prepare;
mod waivers;

use crate::analysis::Analysis;
use crate::analysis::paths::{Chain, Paths};
use crate::input::diag::InputError;
use crate::rules::RuleSet;
use crate::rules::finding::{Finding, Severity};

pub struct Outcome {
    pub findings: Vec<Finding>,
    /// Per finding (same index): its fingerprint is in the `--baseline`
    /// file, so it is known debt rather than news (see `baseline.rs`).
    /// All false without a baseline.
    pub baselined: Vec<bool>,
    /// A rule could not run because its cut-set families outgrew what one
    /// run may hold: the findings are incomplete, and the run says so and
    /// exits with its own status.
    pub limit: Option<crate::engine::TooLarge>,
    /// Per finding (same index), once an output asked for them (see
    /// `paths.rs`): how each culprit of a failure finding takes its subject
    /// down. Empty until then.
    pub paths: Vec<Option<Paths>>,
    /// Waivers in force that waived nothing in this run (warnings with
    /// their place): stale promises, shown with the findings in every
    /// format so that CI sees them too.
    pub unused_waivers: Vec<InputError>,
}

impl Outcome {
    /// The failure paths of finding `i`, when it has some.
    pub fn paths_of(&self, i: usize) -> Option<&[Chain]> {
        self.paths
            .get(i)
            .and_then(Option::as_deref)
            .filter(|p| !p.is_empty())
    }

    /// Whether finding `i` is in the baseline.
    pub fn is_baselined(&self, i: usize) -> bool {
        self.baselined.get(i).copied().unwrap_or(false)
    }

    /// Findings that are neither waived nor baselined, with their index.
    fn live(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .enumerate()
            .filter(|(i, f)| f.waived.is_none() && !self.is_baselined(*i))
            .map(|(_, f)| f)
    }

    /// Findings that count: not waived, not baselined, at or above `level`.
    pub fn failing(&self, level: Option<Severity>) -> usize {
        let Some(level) = level else { return 0 };
        self.live().filter(|f| f.severity >= level).count()
    }

    pub fn count(&self, sev: Severity) -> usize {
        self.live().filter(|f| f.severity == sev).count()
    }

    pub fn waived(&self) -> usize {
        self.findings.iter().filter(|f| f.waived.is_some()).count()
    }

    /// Baselined findings that are not also waived.
    pub fn baselined(&self) -> usize {
        self.findings
            .iter()
            .enumerate()
            .filter(|(i, f)| f.waived.is_none() && self.is_baselined(*i))
            .count()
    }
}

/// Rules are independent, so they run in parallel (rayon); the final sort
/// makes the output the same whatever the scheduling.
pub fn run(a: &Analysis, rules: &RuleSet) -> Outcome {
    use rayon::prelude::*;
    // Shared analyses first, so the rules do not all wait on one lock.
    a.cut_sets();
    let mut findings: Vec<Finding> = rules.rules.par_iter().flat_map_iter(|r| r.run(a)).collect();
    for f in &mut findings {
        waivers::apply(a, f);
    }
    Finding::sort(&mut findings, a.model);
    let baselined = vec![false; findings.len()];
    let unused_waivers = waivers::unused(a, &findings);
    Outcome {
        findings,
        baselined,
        limit: a.limit().cloned(),
        paths: Vec::new(),
        unused_waivers,
    }
}
