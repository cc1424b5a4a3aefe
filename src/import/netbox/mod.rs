//! `faultline import netbox`: the description of an estate from NetBox's
//! REST API, so a team starts from what its source of truth already knows
//! and writes by hand only what NetBox cannot (services and replicas).
//!
//! Read everything, map, select, then write: nothing touches the output
//! directory until every page has been read and mapped, so any error
//! leaves it as it was.

mod api;
mod client;
mod gap;
mod ids;
mod mapping;
mod quality;
mod roles;
mod select;
mod write;

use crate::import::progress::Bar;
use crate::import::write::shell_quote as quote;
use crate::input::diag::InputError;
use api::Data;
use client::Client;
use roles::RoleKind;
use serde::de::DeserializeOwned;
use std::path::Path;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// NetBox's address, as its web interface has it. The API token is read
    /// from the environment variable NETBOX_TOKEN, never from the command line.
    #[arg(long, value_name = "URL")]
    pub url: String,
    /// Import only this site (its slug) and what it depends on (repeatable).
    #[arg(long = "site", value_name = "SLUG")]
    pub sites: Vec<String>,
    /// Import only objects with this tag (its slug) and what they depend on.
    #[arg(long, value_name = "TAG")]
    pub tag: Option<String>,
    /// Import devices of this role (slug or name) as KIND: host, switch,
    /// pdu, component or skip (repeatable).
    #[arg(long = "role", value_name = "NAME=KIND", value_parser = roles::parse_override)]
    pub roles: Vec<(String, RoleKind)>,
    #[command(flatten)]
    pub common: crate::import::Common,
}

pub fn run(args: Args) -> Result<i32, InputError> {
    let out = Path::new(&args.common.out);
    let kinds: Vec<_> = write::sections().collect();
    crate::import::write::check_out(out, write::COMMAND, &kinds)?;
    let client = Client::new(client::Options {
        url: args.url.clone(),
        token: std::env::var("NETBOX_TOKEN").ok(),
        ca_cert: args.common.ca_cert.clone(),
        timeout: args.common.timeout(),
        retries: args.common.retries,
        page_size: args.common.page_size,
    })?;
    let bar = Bar::new("reading NetBox");
    client.version()?;
    let data = fetch(&client, &bar)?;
    drop(bar);
    let mapped = mapping::map(&data, &args.roles)?;
    let filter = select::Filter {
        sites: args.sites.clone(),
        tag: args.tag.clone(),
    };
    let mapped = select::select(mapped, &filter)?;
    let source = args.url.trim_end_matches('/');
    let files = write::render(&mapped, source, &refresh_command(&args));
    crate::import::write::write(out, &files)?;
    quality::of(&mapped).emit(args.common.format, source, &args.common.out);
    Ok(crate::exit::CLEAN)
}

/// Every endpoint the mapping reads. Interfaces are many and only cabled
/// ones matter, so NetBox filters them; the mapping does not rely on it.
fn fetch(client: &Client, bar: &Bar) -> Result<Data, InputError> {
    Ok(Data {
        sites: list(client, bar, "dcim/sites", &[])?,
        racks: list(client, bar, "dcim/racks", &[])?,
        power_panels: list(client, bar, "dcim/power-panels", &[])?,
        power_feeds: list(client, bar, "dcim/power-feeds", &[])?,
        devices: list(client, bar, "dcim/devices", &[])?,
        power_ports: list(client, bar, "dcim/power-ports", &[])?,
        interfaces: list(client, bar, "dcim/interfaces", &[("cabled", "true")])?,
        clusters: list(client, bar, "virtualization/clusters", &[])?,
        virtual_machines: list(client, bar, "virtualization/virtual-machines", &[])?,
    })
}

fn list<T: DeserializeOwned>(
    client: &Client,
    bar: &Bar,
    endpoint: &'static str,
    filters: &[(&str, &str)],
) -> Result<Vec<T>, InputError> {
    client.list(endpoint, filters, &mut |done, total| {
        bar.show(endpoint, done, total)
    })
}

/// The command that regenerates the same files, for their header: the
/// options that decide what is written, shell-quoted.
fn refresh_command(args: &Args) -> String {
    let mut words = vec![
        "faultline".to_owned(),
        "import".into(),
        "netbox".into(),
        "--url".into(),
        quote(args.url.trim_end_matches('/')),
        "--out".into(),
        quote(&args.common.out),
    ];
    for s in &args.sites {
        words.extend(["--site".into(), quote(s)]);
    }
    if let Some(t) = &args.tag {
        words.extend(["--tag".into(), quote(t)]);
    }
    for (name, kind) in &args.roles {
        let kind = format!("{kind:?}").to_lowercase();
        words.extend(["--role".into(), quote(&format!("{name}={kind}"))]);
    }
    words.join(" ")
}
