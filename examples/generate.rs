//! Writes a synthetic estate to stdout.
//!
//! ```text
//! cargo run --release --example generate -- --entities 100000 --seed 1 > /tmp/estate-100k.yaml
//! cargo run --release --example generate -- --chain 1000000 > /tmp/chain.yaml
//! cargo run --release --example generate -- --ring 1000000 > /tmp/ring.yaml
//! ```

use std::io::Write;
use std::process::ExitCode;

const USAGE: &str = "usage: generate [--entities N] [--seed S] | --chain N | --ring N";

fn main() -> ExitCode {
    let mut entities: usize = 10_000;
    let mut seed: u64 = 1;
    let mut shape: Option<(&str, usize)> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = |args: &mut dyn Iterator<Item = String>| -> Option<u64> {
            args.next().and_then(|v| v.replace('_', "").parse().ok())
        };
        let ok = match arg.as_str() {
            "--entities" | "-n" => value(&mut args).map(|v| entities = v as usize),
            "--seed" | "-s" => value(&mut args).map(|v| seed = v),
            "--chain" => value(&mut args).map(|v| shape = Some(("chain", v as usize))),
            "--ring" => value(&mut args).map(|v| shape = Some(("ring", v as usize))),
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
    let text = match shape {
        Some(("chain", n)) => faultline::generate::chain(n),
        Some((_, n)) => faultline::generate::ring(n),
        None => faultline::generate::estate(seed, entities),
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
