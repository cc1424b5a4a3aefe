//! `faultline import`: descriptions generated from a source of truth the
//! estate already has, instead of written by hand.

pub mod netbox;

use crate::input::diag::InputError;

#[derive(clap::Subcommand, Debug)]
pub enum Source {
    /// Build the description from NetBox's REST API (token in NETBOX_TOKEN).
    Netbox(netbox::Args),
}

/// The exit status, or the one error that stopped the import.
pub fn run(source: Source) -> Result<i32, InputError> {
    match source {
        Source::Netbox(args) => netbox::run(args),
    }
}
