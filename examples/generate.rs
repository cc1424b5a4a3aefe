//! Writes a synthetic estate to stdout.
//!
//! ```text
//! cargo run --release --example generate -- --entities 100000 --seed 1 > /tmp/estate-100k.yaml
//! cargo run --release --example generate -- --entities 28000 --cluster-hosts 3000 > /tmp/pool.yaml
//! cargo run --release --example generate -- --entities 100000 --quorum 51 > /tmp/quorum.yaml
//! cargo run --release --example generate -- --entities 100000 --services-per-host 20 > /tmp/dense.yaml
//! cargo run --release --example generate -- --chain 1000000 > /tmp/chain.yaml
//! cargo run --release --example generate -- --ring 1000000 > /tmp/ring.yaml
//! ```

use faultline_estategen::{Shape, chain, ring, shaped};
use std::io::Write;
use std::process::ExitCode;

const USAGE: &str = "usage: generate [--entities N] [--seed S] [--cluster-hosts N] [--quorum N] [--services-per-host N] | --chain N | --ring N";

fn main() -> ExitCode {
    let mut entities: usize = 10_000;
    let mut seed: u64 = 1;
    let mut shape = Shape::default();
    let mut degenerate: Option<(&str, usize)> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = |args: &mut dyn Iterator<Item = String>| -> Option<usize> {
            args.next().and_then(|v| v.replace('_', "").parse().ok())
        };
        let ok = match arg.as_str() {
            "--entities" | "-n" => value(&mut args).map(|v| entities = v),
            "--seed" | "-s" => value(&mut args).map(|v| seed = v as u64),
            "--cluster-hosts" => value(&mut args).map(|v| shape.cluster_hosts = Some(v)),
            "--quorum" => value(&mut args).map(|v| shape.quorum = Some(v)),
            "--services-per-host" => value(&mut args).map(|v| shape.services_per_host = Some(v)),
            "--chain" => value(&mut args).map(|v| degenerate = Some(("chain", v))),
            "--ring" => value(&mut args).map(|v| degenerate = Some(("ring", v))),
            "--help" | "-h" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            _ => None,
        };
        if ok.is_none() {
            eprintln!("generate: bad argument `{arg}`\n{USAGE}");
            return ExitCode::from(2);
        }
    }
    let text = match degenerate {
        Some(("chain", n)) => chain(n),
        Some((_, n)) => ring(n),
        None => shaped(seed, entities, &shape),
    };
    let mut out = std::io::stdout().lock();
    if out
        .write_all(text.as_bytes())
        .and_then(|_| out.flush())
        .is_err()
    {
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
