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
