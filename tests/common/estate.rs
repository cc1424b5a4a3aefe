//! The random estate generator of the property tests (`engine_props.rs`,
//! `metamorphic.rs`): small integers and choices, so that proptest can
//! shrink a failing case, turned into ids and field values by the helpers
//! below; `render.rs` turns them into entities and YAML.
//!
//! [`Gen`] has one part of the test's own, `extra` (extra failure sets in
//! `engine_props.rs`, `ha`, `slo` and waivers of services in
//! `metamorphic.rs`), drawn after everything else, so the entities are the
//! same whatever that part is.

use proptest::collection::vec;
use proptest::prelude::*;

/// An optional reference: `None`, or an index taken modulo the number of
/// candidates (no candidates: no reference).
pub type Pick = Option<u8>;

#[derive(Clone, Debug)]
pub struct FeedG {
    pub site: Pick,
    pub cap: Option<u8>,
    pub req: Vec<u8>,
}

#[derive(Clone, Debug)]
pub struct RackG {
    pub site: Pick,
    pub req: Vec<u8>,
}

#[derive(Clone, Debug)]
pub struct PduG {
    pub rack: Pick,
    pub feed: Pick,
    pub cap: Option<u8>,
    pub req: Vec<u8>,
}

#[derive(Clone, Debug)]
pub struct SwitchG {
    pub rack: Pick,
    pub power: Vec<u8>,
    pub uplinks: Vec<u8>,
    pub draw: Option<u8>,
    pub req: Vec<u8>,
}

#[derive(Clone, Debug)]
pub struct HostG {
    pub rack: Pick,
    pub power: Vec<u8>,
    pub network: Vec<u8>,
    pub cluster: Pick,
    pub draw: Option<u8>,
    pub mem: Option<u8>,
    pub standby: bool,
    pub avail: Option<u8>,
    pub req: Vec<u8>,
}

#[derive(Clone, Debug)]
pub struct ClusterG {
    pub anti: Vec<Vec<u8>>,
    pub req: Vec<u8>,
}

#[derive(Clone, Debug)]
pub struct VmG {
    pub pinned: bool,
    pub host: u8,
    pub cluster: u8,
    pub ft: Pick,
    pub mem: Option<u8>,
    pub avail: Option<u8>,
    pub req: Vec<u8>,
}

#[derive(Clone, Debug)]
pub struct CompG {
    pub site: Pick,
    pub rack: Pick,
    pub power: Vec<u8>,
    pub network: Vec<u8>,
    pub draw: Option<u8>,
    pub req: Vec<u8>,
}

#[derive(Clone, Debug)]
pub struct SvcG {
    pub instances: Vec<u8>,
    pub min_healthy: u8,
    pub depends: Vec<u8>,
    pub stateful: bool,
    pub backups: Vec<u8>,
    pub req: Vec<u8>,
}

/// A generated estate: the entities of each section, and the test's own
/// part.
#[derive(Clone, Debug)]
pub struct Gen<X> {
    pub sites: Vec<Vec<u8>>,
    pub feeds: Vec<FeedG>,
    pub racks: Vec<RackG>,
    pub pdus: Vec<PduG>,
    pub switches: Vec<SwitchG>,
    pub hosts: Vec<HostG>,
    pub clusters: Vec<ClusterG>,
    pub vms: Vec<VmG>,
    pub comps: Vec<CompG>,
    pub svcs: Vec<SvcG>,
    /// The test's own part (drawn last).
    pub extra: X,
}

fn pick() -> impl Strategy<Value = Pick> {
    proptest::option::of(any::<u8>())
}

fn picks(max: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), 0..=max)
}

/// `requires` lists: usually empty, sometimes one or two arbitrary units
/// (this is what closes most cycles).
fn reqs() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![7 => Just(Vec::new()), 1 => vec(any::<u8>(), 1..=2)]
}

/// A declared `availability`, now and then (the section default otherwise).
fn avail() -> impl Strategy<Value = Option<u8>> {
    proptest::option::weighted(0.2, any::<u8>())
}

/// An estate, with `extra` drawn from `extra` after everything else.
pub fn gen_estate<X: Clone + std::fmt::Debug>(
    extra: impl Strategy<Value = X>,
) -> impl Strategy<Value = Gen<X>> {
    let feed = (pick(), proptest::option::of(any::<u8>()), reqs())
        .prop_map(|(site, cap, req)| FeedG { site, cap, req });
    let rack = (pick(), reqs()).prop_map(|(site, req)| RackG { site, req });
    let pdu = (pick(), pick(), proptest::option::of(any::<u8>()), reqs()).prop_map(
        |(rack, feed, cap, req)| PduG {
            rack,
            feed,
            cap,
            req,
        },
    );
    let switch = (
        pick(),
        picks(2),
        prop_oneof![2 => Just(Vec::new()), 1 => vec(any::<u8>(), 1..=2)],
        proptest::option::of(any::<u8>()),
        reqs(),
    )
        .prop_map(|(rack, power, uplinks, draw, req)| SwitchG {
            rack,
            power,
            uplinks,
            draw,
            req,
        });
    let host = (
        pick(),
        picks(3),
        picks(2),
        pick(),
        proptest::option::of(any::<u8>()),
        proptest::option::of(any::<u8>()),
        proptest::bool::weighted(0.12),
        avail(),
        reqs(),
    )
        .prop_map(
            |(rack, power, network, cluster, draw, mem, standby, avail, req)| HostG {
                rack,
                power,
                network,
                cluster,
                draw,
                mem,
                standby,
                avail,
                req,
            },
        );
    let cluster = (
        vec(picks(3), 0..=2),
        prop_oneof![6 => Just(Vec::new()), 1 => vec(any::<u8>(), 1..=1)],
    )
        .prop_map(|(anti, req)| ClusterG { anti, req });
    let vm = (
        any::<bool>(),
        any::<u8>(),
        any::<u8>(),
        prop_oneof![2 => Just(None), 1 => any::<u8>().prop_map(Some)],
        proptest::option::of(any::<u8>()),
        avail(),
        reqs(),
    )
        .prop_map(|(pinned, host, cluster, ft, mem, avail, req)| VmG {
            pinned,
            host,
            cluster,
            ft,
            mem,
            avail,
            req,
        });
    let comp = (
        pick(),
        pick(),
        picks(2),
        picks(2),
        proptest::option::of(any::<u8>()),
        reqs(),
    )
        .prop_map(|(site, rack, power, network, draw, req)| CompG {
            site,
            rack,
            power,
            network,
            draw,
            req,
        });
    let svc = (
        prop_oneof![1 => vec(any::<u8>(), 0..=0), 4 => vec(any::<u8>(), 1..=1), 12 => vec(any::<u8>(), 2..=3)],
        prop_oneof![8 => Just(1u8), 2 => Just(2u8), 1 => Just(3u8)],
        prop_oneof![3 => Just(Vec::new()), 1 => vec(any::<u8>(), 1..=2)],
        any::<bool>(),
        picks(2),
        reqs(),
    )
        .prop_map(
            |(instances, min_healthy, depends, stateful, backups, req)| SvcG {
                instances,
                min_healthy,
                depends,
                stateful,
                backups,
                req,
            },
        );
    (
        vec(reqs(), 0..=2),
        vec(feed, 0..=2),
        vec(rack, 0..=3),
        vec(pdu, 0..=3),
        vec(switch, 0..=2),
        vec(host, 1..=4),
        vec(cluster, 0..=2),
        vec(vm, 0..=5),
        vec(comp, 0..=2),
        vec(svc, 1..=3),
        extra,
    )
        .prop_map(
            |(sites, feeds, racks, pdus, switches, hosts, clusters, vms, comps, svcs, extra)| Gen {
                sites,
                feeds,
                racks,
                pdus,
                switches,
                hosts,
                clusters,
                vms,
                comps,
                svcs,
                extra,
            },
        )
}

pub fn sel(p: Pick, pool: &[String]) -> Option<String> {
    match p {
        Some(x) if !pool.is_empty() => Some(pool[x as usize % pool.len()].clone()),
        _ => None,
    }
}

pub fn sel_list(v: &[u8], pool: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    if pool.is_empty() {
        return out;
    }
    for &x in v {
        let n = &pool[x as usize % pool.len()];
        if !out.contains(n) {
            out.push(n.clone());
        }
    }
    out
}

/// Like [`sel_list`] over `pool` without `me`: self-loops come from
/// `requires` only, so that not every estate is cyclic.
pub fn sel_others(v: &[u8], pool: &[String], me: &str) -> Vec<String> {
    let others: Vec<String> = pool.iter().filter(|n| *n != me).cloned().collect();
    sel_list(v, &others)
}

/// 0.911 to 0.999, or exactly 1.
pub fn availability(x: Option<u8>) -> Option<String> {
    x.map(|v| match v % 10 {
        0 => "1".to_owned(),
        k => format!("0.9{}", u32::from(k) * 11),
    })
}

pub fn names(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}

/// The ids of a generated estate's entities, per section, in the order of
/// [`Gen`]'s lists.
pub struct Ids {
    pub sites: Vec<String>,
    pub feeds: Vec<String>,
    pub racks: Vec<String>,
    pub pdus: Vec<String>,
    pub switches: Vec<String>,
    pub hosts: Vec<String>,
    pub clusters: Vec<String>,
    pub vms: Vec<String>,
    pub comps: Vec<String>,
    pub svcs: Vec<String>,
    /// Every failure unit (all but clusters).
    pub units: Vec<String>,
}

impl Ids {
    pub fn of<X>(g: &Gen<X>) -> Ids {
        let sites = names("s", g.sites.len());
        let feeds = names("f", g.feeds.len());
        let racks = names("r", g.racks.len());
        let pdus = names("p", g.pdus.len());
        let switches = names("sw", g.switches.len());
        let hosts = names("h", g.hosts.len());
        let clusters = names("c", g.clusters.len());
        let vms = names("v", g.vms.len());
        let comps = names("k", g.comps.len());
        let svcs = names("svc", g.svcs.len());
        let units = [
            &sites, &feeds, &racks, &pdus, &switches, &hosts, &vms, &comps, &svcs,
        ]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
        Ids {
            sites,
            feeds,
            racks,
            pdus,
            switches,
            hosts,
            clusters,
            vms,
            comps,
            svcs,
            units,
        }
    }
}
