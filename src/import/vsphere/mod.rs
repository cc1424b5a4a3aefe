//! `faultline import vsphere`: clusters, hosts, vms and datastores from
//! vCenter, with what decides whether a service survives a host: HA,
//! the DRS rules that keep vms apart, fault tolerance, which host each vm
//! runs on and which datastores it needs.
//!
//! Read everything, map, then write: nothing touches the output directory
//! until every page has been read and mapped, so any error leaves it as it
//! was. The session is logged out whatever happened after login.

mod client;
mod existing;
mod gap;
mod inventory;
mod mapping;
mod quality;
pub mod soap;
mod xml;

use crate::import::progress::Bar;
use crate::import::write::{self, Block, Files, shell_quote as quote};
use crate::input::diag::InputError;
use client::Client;
use existing::Existing;
use inventory::{DATACENTER, Inventory, PROPERTIES};
use std::path::Path;

/// The command every file names on its first line.
const COMMAND: &str = "faultline import vsphere";

#[derive(clap::Args, Debug)]
pub struct Args {
    /// vCenter's SDK address (https://VCENTER/sdk). The user and password
    /// are read from VSPHERE_USER and VSPHERE_PASSWORD, never from the
    /// command line.
    #[arg(long, value_name = "URL")]
    pub url: String,
    /// Import only this datacenter (repeatable).
    #[arg(long = "datacenter", value_name = "NAME")]
    pub datacenters: Vec<String>,
    /// Import only this cluster, its hosts and their vms (repeatable).
    #[arg(long = "cluster", value_name = "NAME")]
    pub clusters: Vec<String>,
    /// A directory of descriptions whose hosts vCenter's hosts are matched
    /// with by name (e.g. a NetBox import): those are not defined again.
    #[arg(long, value_name = "DIR")]
    pub hosts_from: Option<String>,
    /// Do not check vCenter's certificate. Anyone between here and vCenter
    /// could then read the password: prefer --ca-cert with vCenter's root
    /// CA (VMCA).
    #[arg(long, conflicts_with = "ca_cert")]
    pub insecure: bool,
    #[command(flatten)]
    pub common: crate::import::Common,
}

fn credential(name: &str) -> Result<String, InputError> {
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => Ok(v),
        _ => Err(InputError::plain(
            "vsphere-credentials",
            format!("{name} is not set: faultline reads vCenter's user and password from the environment"),
        )
        .help("set VSPHERE_USER and VSPHERE_PASSWORD (a user with the Read-only role is enough)")),
    }
}

pub fn run(args: Args) -> Result<i32, InputError> {
    let out = Path::new(&args.common.out);
    write::check_out(out, COMMAND, &quality::SECTIONS)?;
    let existing = match &args.hosts_from {
        Some(dir) => Existing::read(dir)?,
        None => Existing::default(),
    };
    let user = credential("VSPHERE_USER")?;
    let password = credential("VSPHERE_PASSWORD")?;
    if args.insecure {
        eprintln!(
            "faultline: warning: --insecure: vCenter's certificate is not checked; anyone on the way can read the password"
        );
    } else if args.url.starts_with("http://") {
        eprintln!(
            "faultline: warning: `{}` is not https: the password is sent unencrypted",
            args.url
        );
    }
    let client = Client::login(client::Options {
        url: args.url.clone(),
        user,
        password,
        ca_cert: args.common.ca_cert.clone(),
        insecure: args.insecure,
        timeout: args.common.timeout(),
        retries: args.common.retries,
        page_size: args.common.page_size,
    })?;
    let read = read(&client, &args.datacenters);
    client.logout();
    let inventory = read?;
    let mapped = mapping::map(&inventory, &args.clusters, &existing)?;
    let source = args.url.trim_end_matches('/');
    let files = render(&mapped, source, &refresh_command(&args));
    write::write(out, &files)?;
    quality::of(&mapped, client.requests()).emit(args.common.format, source, &args.common.out);
    Ok(crate::exit::CLEAN)
}

/// The datacenters asked for (all by default), then each one's clusters,
/// hosts, vms and datastores.
fn read(client: &Client, wanted: &[String]) -> Result<Inventory, InputError> {
    let bar = Bar::new("reading vCenter");
    let view = client.container_view(client.root_folder(), &[DATACENTER])?;
    let mut datacenters: Vec<_> = client
        .retrieve(&view, &[(DATACENTER, &["name"])], &mut |_| {})?
        .iter()
        .map(inventory::datacenter)
        .collect();
    datacenters.sort_by(|a, b| (&a.name, &a.moref).cmp(&(&b.name, &b.moref)));
    for w in wanted {
        if !datacenters.iter().any(|d| &d.name == w) {
            let names: Vec<&str> = datacenters.iter().map(|d| d.name.as_str()).collect();
            return Err(InputError::plain(
                "usage",
                format!("--datacenter `{w}`: vCenter has no datacenter of that name"),
            )
            .suggest(
                w,
                names.iter().copied(),
                format!("the datacenters are: {}", names.join(", ")),
            ));
        }
    }
    let mut inv = Inventory::default();
    for dc in datacenters
        .iter()
        .filter(|d| wanted.is_empty() || wanted.contains(&d.name))
    {
        let types: Vec<&str> = PROPERTIES.iter().map(|(t, _)| *t).collect();
        let view = client.container_view(&dc.moref, &types)?;
        let objects = client.retrieve(&view, PROPERTIES, &mut |n| bar.show(&dc.name, n, n))?;
        inv.add(&objects);
    }
    Ok(inv)
}

/// One PropertyCollector answer read, mapped and rendered as the import
/// would, without a vCenter: what the fuzz target runs. `None` when the
/// answer is refused (as the import would refuse it).
pub fn map_answer(bytes: &[u8]) -> Option<Vec<(String, String)>> {
    let page = soap::parse_page(bytes).ok()?.ok()?;
    let mut inventory = Inventory::default();
    inventory.add(&page.objects);
    let mapped = mapping::map(&inventory, &[], &Existing::default()).ok()?;
    let _ = quality::of(&mapped, 1).human("fuzz", "fuzz");
    Some(render(&mapped, "fuzz", "fuzz"))
}

/// Every file's name and text.
fn render(mapped: &mapping::Mapped, source: &str, refresh: &str) -> Vec<(String, String)> {
    let files = Files {
        command: COMMAND,
        source,
        credentials: "VSPHERE_USER and VSPHERE_PASSWORD",
        refresh,
    };
    quality::SECTIONS
        .iter()
        .map(|kind| {
            let blocks = mapped
                .entities
                .iter()
                .filter(|(_, e)| e.kind == *kind)
                .map(|(id, e)| Block {
                    id,
                    fields: &e.fields,
                    label: ("vsphere", e.moref.to_string()),
                });
            (write::file_name(*kind), files.render(*kind, blocks))
        })
        .collect()
}

/// The command that regenerates the same files, for their header.
fn refresh_command(args: &Args) -> String {
    let mut words = vec![
        COMMAND.to_owned(),
        "--url".into(),
        quote(args.url.trim_end_matches('/')),
        "--out".into(),
        quote(&args.common.out),
    ];
    for d in &args.datacenters {
        words.extend(["--datacenter".into(), quote(d)]);
    }
    for c in &args.clusters {
        words.extend(["--cluster".into(), quote(c)]);
    }
    if let Some(h) = &args.hosts_from {
        words.extend(["--hosts-from".into(), quote(h)]);
    }
    if let Some(c) = &args.common.ca_cert {
        words.extend(["--ca-cert".into(), quote(c)]);
    }
    if args.insecure {
        words.push("--insecure".into());
    }
    words.join(" ")
}
