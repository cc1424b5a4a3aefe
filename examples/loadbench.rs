//! Loading a split estate from bytes and from parses kept in memory (as
//! the language server does): `cargo run --release --example loadbench
//! -- DIR`.
use faultline::input::source::Sources;
use faultline::input::stream;
use faultline::model::load::{self, Input};
use std::sync::Arc;
use std::time::Instant;
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
fn main() {
    let dir = std::env::args().nth(1).expect("a folder of yaml files");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    let texts: Vec<(String, Arc<str>)> = names
        .iter()
        .map(|p| {
            let t = std::fs::read_to_string(p).unwrap();
            (p.to_string_lossy().into_owned(), t.into())
        })
        .collect();
    let parsed: Vec<_> = texts
        .iter()
        .map(|(_, t)| Arc::new(stream::parse(t)))
        .collect();
    for round in 0..5 {
        let t = Instant::now();
        let files = texts
            .iter()
            .map(|(n, t)| (n.clone(), t.as_bytes().to_vec()))
            .collect();
        let m = load::load_limited(Sources::new(), files, usize::MAX);
        let bytes = t.elapsed();
        drop(m);
        let t = Instant::now();
        let files = texts
            .iter()
            .zip(&parsed)
            .map(|((n, t), p)| (n.clone(), Input::Parsed(Arc::clone(t), Arc::clone(p))))
            .collect();
        let m = load::load_inputs(Sources::new(), files, usize::MAX, None);
        let cached = t.elapsed();
        let ok = m.is_ok();
        let t = Instant::now();
        drop(m);
        println!(
            "round {round}: from bytes {:.0} ms, from parses {:.0} ms (ok {ok}), drop {:.0} ms",
            bytes.as_secs_f64() * 1e3,
            cached.as_secs_f64() * 1e3,
            t.elapsed().as_secs_f64() * 1e3
        );
    }
}
