//! Raw bytes as `faultline.yaml`: written to a temporary file and read with
//! `Config::load`; a config that loads is applied as `faultline check`
//! applies it (rule settings on the built-in rules, waivers by id on the
//! estate, availability defaults, ignore patterns) and the rules run over a
//! small estate. `rule_dirs` are not followed: a fuzzed path could walk the
//! whole filesystem.

#![no_main]

mod common;

use faultline::analysis::Analysis;
use faultline::check;
use faultline::check::config::Config;
use faultline::report::human::{self, Style};
use faultline::rules::RuleSet;
use faultline::input::source::Sources;
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

/// One file per fuzzing process (libFuzzer workers are processes).
fn path() -> &'static PathBuf {
    static P: OnceLock<PathBuf> = OnceLock::new();
    P.get_or_init(|| {
        let dir =
            std::env::temp_dir().join(format!("faultline-fuzz-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        dir.join("faultline.yaml")
    })
}

fuzz_target!(|data: &[u8]| {
    let path = path();
    std::fs::write(path, data).expect("the temporary config is written");
    let mut sources = Sources::new();
    let cfg = match Config::load(&mut sources, path) {
        Ok(c) => c,
        Err(errors) => {
            common::render_errors(&sources, &errors);
            return;
        }
    };
    for i in 0..cfg.ignore.len().min(4) {
        let _ = cfg.ignored_by(&format!("dir/{i}.yaml"));
    }
    let rules = match RuleSet::load_into(&mut sources, vec![], &cfg.rules) {
        Ok(r) => r,
        Err(errors) => {
            common::render_errors(&sources, &errors);
            return;
        }
    };
    let mut model = match common::load_sample(sources) {
        Ok(m) => m,
        Err(f) => panic!("the sample loads after any config: {:?}", f.errors),
    };
    for (id, _, w) in &cfg.waivers {
        if let Some(e) = model.lookup(id) {
            model.entities[e as usize].waivers.push(w.clone());
        }
    }
    let defaults = cfg.availability.clone().unwrap_or_default();
    let order = cfg.availability_order.unwrap_or(2);
    let a = Analysis::new(&model, common::TODAY)
        .with_defaults(defaults)
        .with_order(order);
    let outcome = check::run(&a, &rules);
    let _ = human::check(&model, &outcome, Style::plain());
    let _ = faultline::report::json::check(&model, &outcome);
    if let Ok(estimates) = a.estimates() {
        let _ = faultline::commands::availability::human(&a, estimates, order, Style::plain());
    }
});
