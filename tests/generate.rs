//! Generated estates: they load without input errors, every rule runs on
//! them, the generator is deterministic, and degenerate shapes (a very long
//! `requires` chain, a very long loop) neither overflow the stack nor take
//! quadratic time.

use faultline::analysis::Analysis;
use faultline::check;
use faultline::model::load;
use faultline::model::{Date, Kind, Model};
use faultline::rules::RuleSet;
use faultline_estategen as generate;
use std::time::Instant;

const TODAY: Date = Date {
    year: 2026,
    month: 11,
    day: 1,
};

/// Long enough to overflow any recursive walk on the default 2 MiB test
/// thread stack, short enough to keep the suite quick: a million takes
/// 10-20 s in release on two cores, nearly all of it YAML parsing, so that
/// size runs only on request (`cargo test --release --test generate --
/// --ignored`). Debug builds parse about ten times slower.
const STRESS: usize = if cfg!(debug_assertions) {
    50_000
} else {
    200_000
};

fn load_ok(text: &str) -> Model {
    match load::load_str("generated.yaml", text) {
        Ok(m) => m,
        Err(f) => {
            let shown: Vec<&str> = f
                .errors
                .iter()
                .take(5)
                .map(|e| e.message.as_str())
                .collect();
            panic!("{} input errors, first: {shown:#?}", f.errors.len())
        }
    }
}

#[test]
fn a_10k_estate_loads_without_errors_and_checks() {
    let text = generate::estate(1, 10_000);
    let model = load_ok(&text);
    assert!(
        (10_000..10_100).contains(&model.len()),
        "{} entities for a 10k target",
        model.len()
    );
    for kind in [
        Kind::Site,
        Kind::Feed,
        Kind::Rack,
        Kind::Pdu,
        Kind::Switch,
        Kind::Host,
        Kind::Cluster,
        Kind::Vm,
        Kind::Service,
        Kind::Component,
    ] {
        assert!(model.of_kind(kind).next().is_some(), "no {kind:?}");
    }
    let rules = RuleSet::load(vec![]).unwrap_or_else(|_| panic!("built-in rules load"));
    let a = Analysis::new(&model, TODAY);
    let outcome = check::run(&a, &rules);
    let count = |rule: &str| outcome.findings.iter().filter(|f| f.rule == rule).count();
    // The estate is realistic, flaws included.
    assert!(count("single-point-of-failure") > 100);
    assert!(count("single-instance") > 10);
    assert!(count("colocation-risk") > 10);
    assert!(count("data-single-failure-domain") > 10);
    assert!(count("power-failover-overload") > 0);
    assert!(count("expired-waiver") > 0);
    // Exactly one loop: the building-management system on its own feed.
    let cycles: Vec<_> = outcome
        .findings
        .iter()
        .filter(|f| f.rule == "dependency-cycle")
        .collect();
    assert_eq!(cycles.len(), 1);
    let on_cycle: Vec<&str> = cycles[0].culprits.iter().map(|&c| model.name(c)).collect();
    assert!(on_cycle.contains(&"dc0-bms") && on_cycle.contains(&"dc0-feed-a"));
    // Some services come out clean.
    let services = model.of_kind(Kind::Service).count();
    assert!(count("single-point-of-failure") < services);
}

#[test]
fn other_seeds_and_sizes_load_too() {
    for seed in 0..6 {
        let model = load_ok(&generate::estate(seed, 1_500 + 700 * seed as usize));
        assert!(model.len() >= 1_500);
    }
    // Tiny targets still give a complete, valid description.
    load_ok(&generate::estate(9, 1));
}

#[test]
fn generation_is_deterministic() {
    let a = generate::estate(42, 5_000);
    let b = generate::estate(42, 5_000);
    assert_eq!(a, b);
    assert_ne!(a, generate::estate(43, 5_000));
    assert_eq!(generate::chain(10), generate::chain(10));
    assert_eq!(generate::ring(10), generate::ring(10));
}

fn chain_loads_and_analyses(n: usize) {
    let t = Instant::now();
    let model = load_ok(&generate::chain(n));
    assert_eq!(model.len(), n + 1);
    let a = Analysis::new(&model, TODAY);
    assert!(a.cycles().is_empty());
    let top = model.lookup("top").expect("the service on top");
    assert!(a.is_up(top));
    assert_eq!(a.spofs(top).len(), n, "every link of the chain");
    eprintln!("chain({n}): {:.2?}", t.elapsed());
}

fn ring_loads_and_analyses(n: usize) {
    let t = Instant::now();
    let model = load_ok(&generate::ring(n));
    let a = Analysis::new(&model, TODAY);
    let cycles = a.cycles();
    assert_eq!(cycles.len(), 1);
    assert_eq!(cycles[0].len(), n);
    let top = model.lookup("top").expect("the service on top");
    // Greatest fixed point: nothing forces the loop down, so it is up, and
    // losing any member brings the whole loop (and the service) down.
    assert!(a.is_up(top));
    assert_eq!(a.spofs(top).len(), n);
    eprintln!("ring({n}): {:.2?}", t.elapsed());
}

#[test]
fn a_long_requires_chain_loads_and_analyses() {
    chain_loads_and_analyses(STRESS);
}

#[test]
fn a_long_requires_ring_loads_and_analyses() {
    ring_loads_and_analyses(STRESS);
}

#[test]
#[ignore = "a million links: 10-20 s in release"]
fn a_million_long_chain_loads_and_analyses() {
    chain_loads_and_analyses(1_000_000);
}

#[test]
#[ignore = "a million members: 10-20 s in release"]
fn a_million_long_ring_loads_and_analyses() {
    ring_loads_and_analyses(1_000_000);
}
