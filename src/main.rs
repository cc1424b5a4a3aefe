use clap::Parser;

/// A 1M-entity estate makes tens of millions of small allocations (tree
/// nodes, ids, findings); mimalloc serves them much faster than glibc's
/// allocator and returns memory in bigger pieces.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::panic::set_hook(Box::new(|info| {
        eprintln!(
            "faultline: internal error (this is a bug, please report it with the input that caused it)\n{info}"
        );
    }));
    let cli = faultline::cli::Cli::parse();
    // A generous stack for the YAML deserialiser's recursion (depth is
    // capped, but debug builds use large frames).
    let code = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || faultline::cli::run(cli))
        .ok()
        .and_then(|h| h.join().ok())
        .unwrap_or(101);
    std::process::exit(code);
}
