//! The phases as divan benchmarks, with divan's statistics (fastest,
//! slowest, median, mean of several samples).
//!
//! `cargo bench --bench divan` runs every phase at 10k and 100k entities;
//! divan's own options filter and tune, e.g.
//! `cargo bench --bench divan -- rule --sample-count 3`.
//! `benches/phases.rs` prints the README's table (and 1M); this one is for
//! comparing a change against the last run with proper statistics.

use divan::{Bencher, black_box};
use faultline::analysis::Analysis;
use faultline::check::{self, Outcome};
use faultline::engine::Circuit;
use faultline::model::load;
use faultline::model::{Date, Model};
use faultline::report::{human, json, sarif};
use faultline::rules::RuleSet;
use faultline_estategen as generate;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// The same allocator and page setting as the `faultline` binary.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SIZES: &[usize] = &[10_000, 100_000];
const TODAY: Date = Date {
    year: 2026,
    month: 11,
    day: 1,
};

fn main() {
    #[cfg(target_os = "linux")]
    let _ = nix::sys::prctl::set_thp_disable(true);
    divan::main();
}

/// One generated estate, loaded and checked once, shared by the benches.
struct Fixture {
    text: String,
    model: &'static Model,
    rules: RuleSet,
    /// Kill sets and cycles already computed, for the per-rule benches.
    warm: Analysis<'static>,
    outcome: Outcome,
}

fn fixture(size: usize) -> &'static Fixture {
    static ALL: OnceLock<Mutex<HashMap<usize, &'static Fixture>>> = OnceLock::new();
    let mut all = ALL
        .get_or_init(Default::default)
        .lock()
        .expect("not poisoned");
    all.entry(size).or_insert_with(|| {
        let text = generate::estate(1, size);
        let files = vec![("estate.yaml".to_owned(), text.clone().into_bytes())];
        let model: &'static Model = match load::load(files) {
            Ok(m) => Box::leak(Box::new(m)),
            Err(f) => panic!("generated estate has {} input errors", f.errors.len()),
        };
        let rules = match RuleSet::load(vec![]) {
            Ok(r) => r,
            Err(_) => panic!("the built-in rules load"),
        };
        let warm = Analysis::new(model, TODAY);
        warm.cut_sets();
        warm.cycles();
        let outcome = check::run(&Analysis::new(model, TODAY), &rules);
        Box::leak(Box::new(Fixture {
            text,
            model,
            rules,
            warm,
            outcome,
        }))
    })
}

#[divan::bench(args = SIZES, sample_count = 5)]
fn yaml_parse(b: Bencher, size: usize) {
    let f = fixture(size);
    b.bench(|| faultline::input::parse(&f.text).expect("parses"));
}

#[divan::bench(args = SIZES, sample_count = 5)]
fn load_and_validate(b: Bencher, size: usize) {
    let f = fixture(size);
    b.with_inputs(|| vec![("estate.yaml".to_owned(), f.text.clone().into_bytes())])
        .bench_values(|files| load::load(files).ok().expect("loads"));
}

#[divan::bench(args = SIZES, sample_count = 5)]
fn circuit_build(b: Bencher, size: usize) {
    let f = fixture(size);
    b.bench(|| Circuit::build(f.model));
}

#[divan::bench(args = SIZES, sample_count = 5)]
fn cycle_detection(b: Bencher, size: usize) {
    let c = Circuit::build(fixture(size).model);
    b.bench(|| c.cycles());
}

#[divan::bench(args = SIZES, sample_count = 5)]
fn cut_sets(b: Bencher, size: usize) {
    let f = fixture(size);
    b.bench(|| {
        let a = Analysis::new(f.model, TODAY);
        black_box(a.cut_sets());
    });
}

#[divan::bench(args = SIZES, sample_count = 5)]
fn check_run(b: Bencher, size: usize) {
    let f = fixture(size);
    b.bench(|| check::run(&Analysis::new(f.model, TODAY), &f.rules));
}

/// Every built-in rule on its own, at 100k, on a warm analysis.
#[divan::bench(args = faultline::rules::BUILTIN.iter().map(|(p, _)| rule_id(p)), sample_count = 5)]
fn rule(b: Bencher, id: &str) {
    let f = fixture(100_000);
    let rule = f.rules.get(id).expect("a built-in rule");
    b.bench(|| rule.run(&f.warm));
}

fn rule_id(path: &'static str) -> &'static str {
    path.trim_start_matches("rules/").trim_end_matches(".yaml")
}

#[divan::bench(args = SIZES, sample_count = 5)]
fn render_human(b: Bencher, size: usize) {
    let f = fixture(size);
    b.bench(|| human::check(f.model, &f.outcome, human::Style::plain()));
}

#[divan::bench(args = SIZES, sample_count = 5)]
fn render_json(b: Bencher, size: usize) {
    let f = fixture(size);
    b.bench(|| json::check_text(f.model, &f.outcome));
}

#[divan::bench(args = SIZES, sample_count = 5)]
fn render_sarif(b: Bencher, size: usize) {
    let f = fixture(size);
    b.bench(|| sarif::check_text(f.model, &f.rules, &f.outcome, false));
}
