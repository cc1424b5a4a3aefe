//! What every fuzz target does with a description that loads: the whole
//! product, as `faultline check`, `spof`, `impact`, `cuts` and
//! `availability` would run it, outputs rendered and thrown away.

#![allow(dead_code)]

use faultline::analysis::Analysis;
use faultline::commands;
use faultline::model::{Date, Model};
use faultline::report::human::{self, Style};
use faultline::report::json;
use faultline::rules::RuleSet;
use faultline::check;
use faultline::model::load;
use std::sync::OnceLock;

pub const TODAY: Date = Date {
    year: 2026,
    month: 1,
    day: 1,
};

/// The built-in rule pack, loaded once per process.
pub fn builtin() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(|| match RuleSet::load(vec![]) {
        Ok(r) => r,
        Err(_) => panic!("the built-in rules load"),
    })
}

/// A small fixed estate with a bit of everything, for rule files and
/// configs to run against.
pub const SAMPLE: &str = "\
sites: {dc1: {labels: {region: eu}}}
feeds: {fa: {site: dc1, capacity_w: 1000}, fb: {site: dc1, capacity_w: 1000}}
racks: {r1: {site: dc1}, r2: {site: dc1, labels: {row: b}}}
pdus:
  p1a: {rack: r1, feed: fa, capacity_w: 500}
  p1b: {rack: r1, feed: fb, capacity_w: 500}
  p2a: {rack: r2, feed: fa, capacity_w: 400}
switches: {t1: {rack: r1, power: [p1a, p1b]}, t2: {rack: r2, power: [p2a], uplinks: [t1]}}
hosts:
  h1: {rack: r1, power: [p1a, p1b], network: [t1], cluster: c, draw_w: 300, memory_gb: 64}
  h2: {rack: r2, power: [p2a], network: [t2], cluster: c, draw_w: 300, memory_gb: 64}
  h3: {rack: r2, power: [p2a], network: [t2], draw_w: 200, standby: true}
clusters: {c: {ha: restart, anti_affinity: [[v1, v2]]}}
vms:
  v1: {cluster: c, memory_gb: 32}
  v2: {cluster: c, memory_gb: 48}
  v3: {host: h2, ft_secondary: h1, memory_gb: 8}
  db1: {host: h1, labels: {tier: critical}}
services:
  web: {instances: [v1, v2], depends_on: [db], slo: 99.99}
  db: {instances: [db1], stateful: true, backups: [nas], ha: vmotion, waivers: [{rule: single-instance, reason: known, until: 2025-01-01}]}
  batch: {instances: [v3, h3], min_healthy: 2, requires: [bms]}
components:
  nas: {kind: nas, rack: r1, power: [p1b]}
  bms: {kind: bms, site: dc1, power: [fa], requires: [fa]}
";

/// The sample as the one description file of a run.
pub fn sample_files() -> Vec<(String, Vec<u8>)> {
    vec![("estate.yaml".to_owned(), SAMPLE.as_bytes().to_vec())]
}

/// Loads the sample into sources that already hold a run's config and rule
/// files, as `faultline check` does, so findings and errors can point into
/// any of them.
pub fn load_sample(sources: faultline::input::source::Sources) -> Result<Model, load::LoadFailure> {
    load::load_into(sources, sample_files())
}

/// Every analysis and output of a loaded description. `pick` chooses the
/// unit failed for `impact`.
pub fn exercise(model: &Model, rules: &RuleSet, pick: usize) {
    let a = Analysis::new(model, TODAY);
    let outcome = check::run(&a, rules);
    let _ = human::check(model, &outcome, Style::plain());
    let _ = json::to_string(&json::check(model, &outcome));
    let spofs = commands::spof::compute(&a);
    let _ = commands::spof::human(&a, &spofs, Style::plain());
    let _ = commands::spof::to_json(&spofs);
    if !model.is_empty() {
        let failed = [(pick % model.len()) as u32];
        let i = commands::impact::compute(&a, &failed);
        let _ = commands::impact::human(&a, &failed, &i, Style::plain());
        let _ = commands::impact::to_json(&i);
    }
    if let Ok(cuts) = commands::cuts::compute(&a, 2) {
        let _ = cuts.write_human(&mut std::io::sink(), Style::plain());
        let _ = cuts.write_json(&mut std::io::sink());
    }
    if let Ok(estimates) = a.estimates_at(2) {
        let _ = commands::availability::human(&a, &estimates, 2, Style::plain());
        let _ = commands::availability::to_json(&a, &estimates);
    }
    if let Ok(risks) = commands::risks::compute(&a, 2) {
        let _ = commands::risks::human(&a, &risks, 2, 20, Style::plain());
        let _ = commands::risks::markdown(&a, &risks, 2, 20);
    }
}

/// Renders input errors as the terminal would show them (miette over the
/// shared sources: spans must stay inside their files).
pub fn render_errors(sources: &faultline::input::source::Sources, errors: &[faultline::input::diag::InputError]) {
    let _ = human::errors(sources, errors, Style::plain());
}
