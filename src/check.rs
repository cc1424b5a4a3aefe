//! One lint run: every rule over the analysis, waivers applied, findings
//! sorted. Pure: no I/O, so tests and every output format share it.

use crate::analysis::Analysis;
use crate::finding::{Finding, Severity};
use crate::rules::RuleSet;

pub struct Outcome {
    pub findings: Vec<Finding>,
}

impl Outcome {
    /// Findings that count: not waived, at or above `level`.
    pub fn failing(&self, level: Option<Severity>) -> usize {
        let Some(level) = level else { return 0 };
        self.findings
            .iter()
            .filter(|f| f.waived.is_none() && f.severity >= level)
            .count()
    }

    pub fn count(&self, sev: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.waived.is_none() && f.severity == sev)
            .count()
    }

    pub fn waived(&self) -> usize {
        self.findings.iter().filter(|f| f.waived.is_some()).count()
    }
}

pub fn run(a: &Analysis, rules: &RuleSet) -> Outcome {
    let mut findings: Vec<Finding> = rules.rules.iter().flat_map(|r| r.run(a)).collect();
    for f in &mut findings {
        let e = a.model.get(f.subject);
        f.waived = e
            .waivers
            .iter()
            .find(|w| w.rule == f.rule && w.until.as_ref().is_none_or(|u| *u >= a.today))
            .map(|w| w.reason.clone());
    }
    Finding::sort(&mut findings, a.model);
    Outcome { findings }
}
