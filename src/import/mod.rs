//! `faultline import`: descriptions generated from a source of truth the
//! estate already has, instead of written by hand.
//!
//! Each source has its folder (its API, its mapping); what every importer
//! needs the same way lives beside them: `http` (TLS, retries), `ids`
//! (ids from names), `write` (the output directory), `report` (the
//! data-quality report) and `progress`.

pub mod http;
pub mod ids;
pub mod netbox;
pub mod progress;
pub mod report;
pub mod vsphere;
pub mod write;

use crate::input::diag::InputError;

/// The options every importer takes, for reading its source and for the
/// report it ends with.
#[derive(clap::Args, Debug)]
pub struct Common {
    /// Directory for the generated files (one per section). Other files in
    /// it, such as a hand-written services.yaml, are left alone.
    #[arg(long, value_name = "DIR")]
    pub out: String,
    /// Objects asked for per request (the source may cap it).
    #[arg(long, value_name = "N", default_value_t = 1000,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub page_size: u32,
    /// A CA certificate (PEM) to trust besides the system's, for a source
    /// whose certificate comes from an internal CA.
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Option<String>,
    /// Seconds one request may take.
    #[arg(long, value_name = "SECS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
    /// Retries of a request that times out, is cut off, or gets 429 or a
    /// 5xx, waiting 1, 2, 4... seconds (or what Retry-After says).
    #[arg(long, value_name = "N", default_value_t = 5,
          value_parser = clap::value_parser!(u32).range(0..=20))]
    pub retries: u32,
    /// The data-quality report: human on stderr, or JSON on stdout.
    #[arg(long, value_enum, default_value = "human")]
    pub format: report::Format,
}

impl Common {
    pub fn timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.timeout)
    }
}

#[derive(clap::Subcommand, Debug)]
pub enum Source {
    /// Build the description from NetBox's REST API (token in NETBOX_TOKEN).
    Netbox(netbox::Args),
    /// Build clusters, hosts, vms and datastores from vCenter's API (user
    /// and password in VSPHERE_USER and VSPHERE_PASSWORD).
    Vsphere(vsphere::Args),
}

/// The exit status, or the one error that stopped the import.
pub fn run(source: Source) -> Result<i32, InputError> {
    match source {
        Source::Netbox(args) => netbox::run(args),
        Source::Vsphere(args) => vsphere::run(args),
    }
}
