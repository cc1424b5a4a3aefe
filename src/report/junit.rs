//! JUnit XML (`check --format junit`), for CI systems that show test
//! reports (GitLab, Jenkins, Azure Pipelines, test-reporter actions).
//!
//! One test suite per loaded rule; in it one test case per subject the rule
//! has findings about (named after the subject, class name = rule id):
//!
//! - a failure when at least one of them is neither waived nor baselined;
//!   its message is the first finding's message, its type the severity, and
//!   its text every finding as `file:line:col: message` plus the help;
//! - skipped when all of them are waived (the message gives the reason) or
//!   baselined.
//!
//! A rule without findings gets one passing test case, `no findings`, so the
//! report shows every rule that was checked. Every finding fails its test
//! case whatever its severity: the type attribute tells warnings apart.

use crate::check::Outcome;
use crate::model::{EntityId, Model};
use crate::report::place;
use crate::rules::RuleSet;
use crate::rules::finding::Finding;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};

/// Name of the test case of a rule that found nothing.
pub const CLEAN_CASE: &str = "no findings";

fn detail(model: &Model, f: &Finding) -> String {
    let mut s = format!(
        "{}: {}",
        place::of_entity(model, f.subject).short(),
        f.message
    );
    if let Some(h) = &f.help {
        s.push_str("\nhelp: ");
        s.push_str(h);
    }
    s
}

pub fn check(model: &Model, rules: &RuleSet, out: &Outcome) -> Report {
    // rule -> subject -> findings (index into out.findings), in output order.
    let mut by_rule: BTreeMap<&str, Vec<(EntityId, Vec<usize>)>> = BTreeMap::new();
    let mut slot: HashMap<(&str, EntityId), usize> = HashMap::new();
    for (i, f) in out.findings.iter().enumerate() {
        let subjects = by_rule.entry(f.rule.as_str()).or_default();
        match slot.entry((f.rule.as_str(), f.subject)) {
            Entry::Occupied(e) => subjects[*e.get()].1.push(i),
            Entry::Vacant(e) => {
                e.insert(subjects.len());
                subjects.push((f.subject, vec![i]));
            }
        }
    }
    let mut report = Report::new("faultline");
    for rule in &rules.rules {
        let mut suite = TestSuite::new(rule.id.clone());
        match by_rule.get(rule.id.as_str()) {
            None => {
                let mut tc = TestCase::new(CLEAN_CASE, TestCaseStatus::success());
                tc.set_classname(rule.id.clone());
                suite.add_test_case(tc);
            }
            Some(subjects) => {
                for (subject, idx) in subjects {
                    let live: Vec<usize> = idx
                        .iter()
                        .copied()
                        .filter(|&i| out.findings[i].waived.is_none() && !out.is_baselined(i))
                        .collect();
                    let status = if let Some(&first) = live.first() {
                        let f = &out.findings[first];
                        let text: Vec<String> = live
                            .iter()
                            .map(|&i| detail(model, &out.findings[i]))
                            .collect();
                        let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
                        st.set_message(f.message.clone())
                            .set_type(f.severity.as_str())
                            .set_description(text.join("\n\n"));
                        st
                    } else {
                        let f = &out.findings[idx[0]];
                        let why = match &f.waived {
                            Some(reason) => format!("waived: {reason}"),
                            None => "baselined".to_owned(),
                        };
                        let text: Vec<String> = idx
                            .iter()
                            .map(|&i| detail(model, &out.findings[i]))
                            .collect();
                        let mut st = TestCaseStatus::skipped();
                        st.set_message(why).set_description(text.join("\n\n"));
                        st
                    };
                    let mut tc = TestCase::new(model.name(*subject), status);
                    tc.set_classname(rule.id.clone());
                    suite.add_test_case(tc);
                }
            }
        }
        report.add_test_suite(suite);
    }
    if !out.unused_waivers.is_empty() {
        // A stale waiver fails the report like a warning finding does:
        // otherwise nobody reading the test results would see it.
        let mut suite = TestSuite::new("unused-waiver");
        for e in &out.unused_waivers {
            let at = e.primary_span().map(|s| place::of_span(model, s).short());
            let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
            st.set_message(e.message.clone()).set_type("warning");
            if let Some(h) = &e.help {
                st.set_description(h.clone());
            }
            let mut tc = TestCase::new(at.unwrap_or_else(|| e.code.to_owned()), st);
            tc.set_classname("unused-waiver");
            suite.add_test_case(tc);
        }
        report.add_test_suite(suite);
    }
    report
}

pub fn to_string(report: &Report) -> String {
    let mut s = report
        .to_string()
        .expect("a report built in memory always serialises");
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s
}
