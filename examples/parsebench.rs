use faultline::model::load;
use std::time::Instant;
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let text = std::fs::read_to_string(&a[1]).unwrap();
    let runs: usize = a.get(2).and_then(|s| s.parse().ok()).unwrap_or(5);
    let mut best = f64::MAX;
    for _ in 0..runs {
        let t = Instant::now();
        let r = faultline::input::parse(&text).unwrap();
        std::hint::black_box(&r);
        drop(r);
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!("parse {:.1} ms", best * 1e3);
    let mut best = f64::MAX;
    for _ in 0..runs {
        let t = Instant::now();
        let m = load::load(vec![("e.yaml".into(), text.clone().into_bytes())])
            .ok()
            .unwrap();
        std::hint::black_box(&m);
        best = best.min(t.elapsed().as_secs_f64());
        drop(m);
    }
    println!("load {:.1} ms", best * 1e3);
}
