//! Phase-by-phase timings on generated estates.
//!
//! `cargo bench --bench phases` runs 10k and 100k entities (best of 3 runs
//! each); `FAULTLINE_BENCH_1M=1` adds a 1M estate (one run). Sizes given as
//! arguments (`cargo bench --bench phases -- 50000`) replace the defaults.
//!
//! Each rule is timed on an analysis whose shared parts (order-1 families, cycles)
//! are already computed, so its row is what the rule itself costs; the
//! `check::run` row starts from a fresh analysis and pays for everything.

use faultline::analysis::Analysis;
use faultline::check;
use faultline::engine::Circuit;
use faultline::model::load;
use faultline::model::{Date, Kind};
use faultline::report::{human, json, sarif};
use faultline::rules::RuleSet;
use faultline_estategen as generate;
use std::hint::black_box;
use std::io::Write;
use std::time::{Duration, Instant};

const TODAY: Date = Date {
    year: 2026,
    month: 11,
    day: 1,
};

/// Runs `f` `runs` times and keeps the fastest run (and its result).
fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best: Option<(Duration, T)> = None;
    for _ in 0..runs {
        let t = Instant::now();
        let v = black_box(f());
        let d = t.elapsed();
        if best.as_ref().is_none_or(|(b, _)| d < *b) {
            best = Some((d, v));
        }
    }
    best.expect("at least one run")
}

fn row(phase: &str, size: usize, d: Duration, findings: Option<usize>) {
    let f = findings.map_or("-".to_owned(), |n| n.to_string());
    println!(
        "| {phase:<34} | {size:>9} | {:>10.1} | {f:>8} |",
        d.as_secs_f64() * 1e3
    );
    let _ = std::io::stdout().flush();
}

/// Peak resident set size so far, from /proc (Linux only).
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Resets the peak RSS counter (Linux >= 4.0); false when not allowed.
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn bench(size: usize, rules: &RuleSet) {
    let runs = if size <= 100_000 { 3 } else { 1 };
    let reset = reset_peak_rss();
    let (d, text) = best(1, || generate::estate(1, size));
    let bytes = text.len();
    row("generate (1 run)", size, d, None);

    let (d, _) = best(runs, || {
        faultline::input::parse(&text).expect("generated YAML parses")
    });
    row("yaml parse", size, d, None);

    let (d, model) = best(runs, || {
        let files = vec![("estate.yaml".to_owned(), text.clone().into_bytes())];
        match load::load(files) {
            Ok(m) => m,
            Err(f) => panic!("generated estate has {} input errors", f.errors.len()),
        }
    });
    row("load+validate (incl. parse)", size, d, None);
    let entities = model.len();

    let (d, circuit) = best(runs, || Circuit::build(&model));
    row("circuit build", size, d, None);

    let (d, cycles) = best(runs, || circuit.cycles());
    row("components and cycles", size, d, Some(cycles.len()));
    drop(circuit);

    let services: Vec<u32> = model.of_kind(Kind::Service).collect();
    let (d, n) = best(runs, || {
        let a = Analysis::new(&model, TODAY);
        let t = Instant::now();
        a.cut_sets();
        let kill = t.elapsed();
        let t = Instant::now();
        let with_spof = services.iter().filter(|&&s| !a.spofs(s).is_empty()).count();
        (kill, t.elapsed(), with_spof)
    });
    // `best` kept the fastest whole run; show its parts too.
    let (kill, spofs, with_spof) = n;
    row(
        "SPOF analysis (order-1 families + spofs)",
        size,
        d,
        Some(with_spof),
    );
    row("  order-1 families (incl. components)", size, kill, None);
    row("  spofs of every service", size, spofs, None);

    // What `faultline availability` and `cuts` pay: the families of each
    // order, then every service's.
    for order in 2..=4 {
        let (d, n) = best(1, || {
            let a = Analysis::new(&model, TODAY);
            a.components();
            a.estimates_at(order)
                .map(|v| v.iter().flatten().count())
                .unwrap_or(0)
        });
        row(
            &format!("availability estimates, order {order} (1 run)"),
            size,
            d,
            Some(n),
        );
    }

    let warm = Analysis::new(&model, TODAY);
    warm.cut_sets();
    warm.cycles();
    for rule in &rules.rules {
        let (d, hits) = best(runs, || rule.run(&warm));
        row(&format!("rule {}", rule.id), size, d, Some(hits.len()));
    }

    let (d, outcome) = best(runs, || {
        let a = Analysis::new(&model, TODAY);
        check::run(&a, rules)
    });
    row(
        "check::run (fresh analysis)",
        size,
        d,
        Some(outcome.findings.len()),
    );

    let (d, out) = best(runs, || {
        human::check(&model, &outcome, human::Style::plain())
    });
    row(
        "render human (plain)",
        size,
        d,
        Some(outcome.findings.len()),
    );
    let human_len = out.len();

    let (d, out) = best(runs, || json::check_text(&model, &outcome));
    row("render json", size, d, Some(outcome.findings.len()));
    let json_len = out.len();

    let (d, _) = best(runs, || sarif::check_text(&model, rules, &outcome, false));
    row("render sarif", size, d, Some(outcome.findings.len()));

    let rss = peak_rss_kb().map_or("?".to_owned(), |k| format!("{} MiB", k / 1024));
    println!(
        "|   {size} target: {entities} entities, {:.1} MB YAML, human {:.1} MB, json {:.1} MB, peak RSS{} {rss}",
        bytes as f64 / 1e6,
        human_len as f64 / 1e6,
        json_len as f64 / 1e6,
        if reset { " of this size" } else { " so far" },
    );
}

/// The same allocator and page setting as the `faultline` binary
/// (`src/main.rs`), so the phases add up to what the command costs.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    #[cfg(target_os = "linux")]
    let _ = nix::sys::prctl::set_thp_disable(true);
    let mut sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.replace('_', "").parse().ok())
        .collect();
    if sizes.is_empty() {
        sizes = vec![10_000, 100_000];
        if std::env::var("FAULTLINE_BENCH_1M").is_ok_and(|v| v == "1") {
            sizes.push(1_000_000);
        }
    }
    let rules = match RuleSet::load(vec![]) {
        Ok(r) => r,
        Err(_) => panic!("the built-in rules load"),
    };
    println!(
        "| {:<34} | {:>9} | {:>10} | {:>8} |",
        "phase", "size", "ms", "findings"
    );
    println!("|{:-<36}|{:-<11}|{:-<12}|{:-<10}|", "", "", "", "");
    for size in sizes {
        bench(size, &rules);
    }
    match peak_rss_kb() {
        Some(k) => println!("peak RSS (VmHWM): {} MiB", k / 1024),
        None => println!("peak RSS: unavailable (no /proc/self/status)"),
    }
}
