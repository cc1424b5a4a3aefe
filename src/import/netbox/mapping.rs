//! NetBox objects to faultline entities. The README's "Starting from
//! NetBox" section is the user-facing statement of these rules; keep the
//! two in step.

use super::api::{Brief, Cabled, Data, Device, Interface, PowerPort};
use super::gap::Gap;
use super::ids::{Ids, Key, Model, netbox_label, slug};
use super::roles::{RoleKind, Roles, tier};
use crate::input::diag::InputError;
use crate::model::Kind;
use std::collections::{BTreeMap, BTreeSet, HashMap};

pub use crate::import::write::Value;

/// One entity to write, with what selection and the report need.
#[derive(Clone, Debug)]
pub struct Entity {
    pub kind: Kind,
    pub key: Key,
    /// In the order they are written; the `netbox` label comes last.
    pub fields: Vec<(&'static str, Value)>,
    /// Slugs of the sites the object is in, for `--site`.
    pub sites: Vec<String>,
    /// Its tags' slugs, for `--tag`.
    pub tags: Vec<String>,
    /// What NetBox leaves unsaid about it.
    pub gaps: Vec<(Gap, String)>,
}

impl Entity {
    fn new(kind: Kind, key: Key) -> Entity {
        Entity {
            kind,
            key,
            fields: Vec::new(),
            sites: Vec::new(),
            tags: Vec::new(),
            gaps: Vec::new(),
        }
    }

    pub fn netbox(&self) -> String {
        netbox_label(self.key)
    }

    pub fn field(&self, name: &str) -> Option<&Value> {
        self.fields.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// Every id it references.
    pub fn refs(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().flat_map(|(_, v)| v.refs())
    }

    fn set(&mut self, name: &'static str, value: Value) {
        self.fields.push((name, value));
    }

    /// A list field, left out when empty.
    fn set_refs(&mut self, name: &'static str, refs: BTreeSet<String>) {
        if !refs.is_empty() {
            self.set(name, Value::Refs(refs.into_iter().collect()));
        }
    }
}

/// A NetBox object the import could not place.
#[derive(Clone, Debug)]
pub struct LeftOut {
    pub gap: Gap,
    pub name: String,
    pub sites: Vec<String>,
    pub tags: Vec<String>,
}

#[derive(Debug, Default)]
pub struct Mapped {
    /// By id.
    pub entities: BTreeMap<String, Entity>,
    pub left_out: Vec<LeftOut>,
}

fn tags(tags: &[Brief]) -> Vec<String> {
    tags.iter().filter_map(|t| t.slug.clone()).collect()
}

/// A name for an object NetBox may leave unnamed.
fn name_of(name: Option<&str>, display: Option<&str>, fallback: String) -> String {
    name.filter(|n| !n.trim().is_empty())
        .or(display.filter(|d| !d.trim().is_empty()))
        .map(str::to_owned)
        .unwrap_or(fallback)
}

/// Lookups shared by the per-object rules.
struct Ctx<'d> {
    ids: Ids,
    kinds: HashMap<u64, RoleKind>,
    devices: HashMap<u64, &'d Device>,
    site_slugs: HashMap<u64, String>,
    power_ports: HashMap<u64, Vec<&'d PowerPort>>,
    interfaces: HashMap<u64, Vec<&'d Interface>>,
    /// Sites of each cluster's hosts.
    cluster_sites: HashMap<u64, BTreeSet<String>>,
    cluster_hosts: HashMap<u64, usize>,
}

impl Ctx<'_> {
    fn id(&self, model: Model, n: u64) -> Option<String> {
        self.ids.get((model, n)).map(str::to_owned)
    }

    fn site_slug(&self, site: Option<&Brief>) -> Option<String> {
        let s = site?;
        self.site_slugs
            .get(&s.id)
            .cloned()
            .or_else(|| s.slug.clone())
    }

    /// Id of a device imported as one of `kinds`.
    fn device_as(&self, n: u64, kinds: &[RoleKind]) -> Option<String> {
        let kind = self.kinds.get(&n)?;
        kinds
            .contains(kind)
            .then(|| self.id(Model::Device, n))
            .flatten()
    }
}

pub fn map(data: &Data, overrides: &[(String, RoleKind)]) -> Result<Mapped, InputError> {
    let roles = Roles::new(overrides, &data.devices)?;
    let kinds: HashMap<u64, RoleKind> =
        data.devices.iter().map(|d| (d.id, roles.kind(d))).collect();
    let site_slugs: HashMap<u64, String> =
        data.sites.iter().map(|s| (s.id, slug(&s.slug))).collect();
    let site_of = |b: &Brief| {
        site_slugs
            .get(&b.id)
            .cloned()
            .or_else(|| b.slug.as_deref().map(slug))
            .unwrap_or_else(|| format!("site-{}", b.id))
    };
    let ids = Ids::assign(wanted_ids(data, &kinds, &site_of));
    let mut power_ports: HashMap<u64, Vec<&PowerPort>> = HashMap::new();
    for p in &data.power_ports {
        power_ports.entry(p.device.id).or_default().push(p);
    }
    let mut interfaces: HashMap<u64, Vec<&Interface>> = HashMap::new();
    for i in &data.interfaces {
        interfaces.entry(i.device.id).or_default().push(i);
    }
    for list in power_ports.values_mut() {
        list.sort_by_key(|p| p.id);
    }
    let mut cluster_sites: HashMap<u64, BTreeSet<String>> = HashMap::new();
    let mut cluster_hosts: HashMap<u64, usize> = HashMap::new();
    for d in &data.devices {
        if let (Some(c), Some(RoleKind::Host)) = (&d.cluster, kinds.get(&d.id)) {
            *cluster_hosts.entry(c.id).or_default() += 1;
            if let Some(s) = &d.site {
                cluster_sites.entry(c.id).or_default().insert(site_of(s));
            }
        }
    }
    let ctx = Ctx {
        ids,
        kinds,
        devices: data.devices.iter().map(|d| (d.id, d)).collect(),
        site_slugs: site_slugs.clone(),
        power_ports,
        interfaces,
        cluster_sites,
        cluster_hosts,
    };
    let mut out = Mapped::default();
    let mut add = |e: Entity| {
        if let Some(id) = ctx.ids.get(e.key) {
            out.entities.insert(id.to_owned(), e);
        }
    };
    for s in &data.sites {
        let mut e = Entity::new(Kind::Site, (Model::Site, s.id));
        e.sites = vec![slug(&s.slug)];
        e.tags = tags(&s.tags);
        add(e);
    }
    // Panel number to its site's number and slug.
    let mut panel_sites: HashMap<u64, (u64, String)> = HashMap::new();
    for p in &data.power_panels {
        let mut e = Entity::new(Kind::Component, (Model::PowerPanel, p.id));
        e.set("kind", Value::Text("power-panel".into()));
        if let Some(site) = ctx.id(Model::Site, p.site.id) {
            e.set("site", Value::Ref(site));
        }
        let site = site_of(&p.site);
        panel_sites.insert(p.id, (p.site.id, site.clone()));
        e.sites = vec![site];
        e.tags = tags(&p.tags);
        add(e);
    }
    for f in &data.power_feeds {
        let mut e = Entity::new(Kind::Feed, (Model::PowerFeed, f.id));
        let site = panel_sites.get(&f.power_panel.id);
        if let Some(site) = site.and_then(|(n, _)| ctx.id(Model::Site, *n)) {
            e.set("site", Value::Ref(site));
        }
        if let Some(w) = feed_capacity(f) {
            e.set("capacity_w", Value::Number(w));
        }
        if let Some(panel) = ctx.id(Model::PowerPanel, f.power_panel.id) {
            e.set("requires", Value::Refs(vec![panel]));
        }
        e.sites = site.map(|(_, s)| s.clone()).into_iter().collect();
        e.tags = tags(&f.tags);
        add(e);
    }
    for r in &data.racks {
        let mut e = Entity::new(Kind::Rack, (Model::Rack, r.id));
        if let Some(site) = ctx.id(Model::Site, r.site.id) {
            e.set("site", Value::Ref(site));
        }
        e.sites = vec![site_of(&r.site)];
        e.tags = tags(&r.tags);
        add(e);
    }
    for d in &data.devices {
        if let Some(e) = device(&ctx, d) {
            add(e);
        }
    }
    for c in &data.clusters {
        let mut e = Entity::new(Kind::Cluster, (Model::Cluster, c.id));
        let mut sites: BTreeSet<String> = ctx.cluster_sites.get(&c.id).cloned().unwrap_or_default();
        sites.extend(c.site_slug().map(slug));
        e.sites = sites.into_iter().collect();
        e.tags = tags(&c.tags);
        if ctx.cluster_hosts.get(&c.id).copied().unwrap_or(0) == 0 {
            let id = ctx.id(Model::Cluster, c.id).unwrap_or_default();
            e.gaps.push((Gap::ClusterWithoutHosts, id));
        }
        add(e);
    }
    let clusters: HashMap<u64, &super::api::Cluster> =
        data.clusters.iter().map(|c| (c.id, c)).collect();
    let mut left_out = Vec::new();
    for vm in &data.virtual_machines {
        let mut sites: BTreeSet<String> = BTreeSet::new();
        sites.extend(ctx.site_slug(vm.site.as_ref()));
        if let Some(c) = &vm.cluster {
            sites.extend(ctx.cluster_sites.get(&c.id).into_iter().flatten().cloned());
            let cluster = clusters.get(&c.id);
            sites.extend(cluster.and_then(|x| x.site_slug()).map(slug));
        }
        let pinned = vm.device.as_ref().and_then(|d| {
            let host = ctx.device_as(d.id, &[RoleKind::Host])?;
            sites.extend(ctx.site_slug(ctx.devices.get(&d.id).and_then(|d| d.site.as_ref())));
            Some(host)
        });
        let cluster = vm
            .cluster
            .as_ref()
            .and_then(|c| ctx.id(Model::Cluster, c.id));
        let mut e = Entity::new(Kind::Vm, (Model::VirtualMachine, vm.id));
        e.sites = sites.into_iter().collect();
        e.tags = tags(&vm.tags);
        match (pinned, cluster) {
            (Some(host), _) => e.set("host", Value::Ref(host)),
            (None, Some(cluster)) => e.set("cluster", Value::Ref(cluster)),
            (None, None) => {
                left_out.push(LeftOut {
                    gap: Gap::VmLeftOut,
                    name: vm.name.clone(),
                    sites: e.sites,
                    tags: e.tags,
                });
                continue;
            }
        }
        if let Some(mb) = vm.memory.filter(|m| *m > 0.0) {
            e.set("memory_gb", Value::Number(mb / 1024.0));
        }
        add(e);
    }
    out.left_out = left_out;
    Ok(out)
}

/// Every object's preferred id (see `ids`).
fn wanted_ids(
    data: &Data,
    kinds: &HashMap<u64, RoleKind>,
    site_of: &dyn Fn(&Brief) -> String,
) -> Vec<(Key, String)> {
    let mut wanted = Vec::new();
    for s in &data.sites {
        wanted.push(((Model::Site, s.id), slug(&s.slug)));
    }
    let mut panels: HashMap<u64, String> = HashMap::new();
    for p in &data.power_panels {
        let id = format!("{}/{}", site_of(&p.site), slug(&p.name));
        panels.insert(p.id, id.clone());
        wanted.push(((Model::PowerPanel, p.id), id));
    }
    for f in &data.power_feeds {
        let panel = panels
            .get(&f.power_panel.id)
            .cloned()
            .unwrap_or_else(|| format!("panel-{}", f.power_panel.id));
        wanted.push((
            (Model::PowerFeed, f.id),
            format!("{panel}/{}", slug(&f.name)),
        ));
    }
    for r in &data.racks {
        wanted.push((
            (Model::Rack, r.id),
            format!("{}/{}", site_of(&r.site), slug(&r.name)),
        ));
    }
    for d in &data.devices {
        if kinds.get(&d.id) == Some(&RoleKind::Skip) {
            continue;
        }
        let name = name_of(
            d.name.as_deref(),
            d.display.as_deref(),
            format!("device-{}", d.id),
        );
        let id = match &d.site {
            Some(s) => format!("{}/{}", site_of(s), slug(&name)),
            None => slug(&name),
        };
        wanted.push(((Model::Device, d.id), id));
    }
    let mut clusters: HashMap<u64, String> = HashMap::new();
    for c in &data.clusters {
        clusters.insert(c.id, slug(&c.name));
        wanted.push(((Model::Cluster, c.id), slug(&c.name)));
    }
    for vm in &data.virtual_machines {
        let scope = match (&vm.cluster, &vm.site) {
            (Some(c), _) => Some(
                clusters
                    .get(&c.id)
                    .cloned()
                    .unwrap_or_else(|| format!("cluster-{}", c.id)),
            ),
            (None, Some(s)) => Some(site_of(s)),
            (None, None) => None,
        };
        let name = slug(&vm.name);
        let id = match scope {
            Some(scope) => format!("{scope}/{name}"),
            None => name,
        };
        wanted.push(((Model::VirtualMachine, vm.id), id));
    }
    wanted
}

/// Usable power: volts x amps x the share NetBox may load it to, times
/// the square root of 3 for three phases.
fn feed_capacity(f: &super::api::PowerFeed) -> Option<f64> {
    let volts = f.voltage?.abs();
    let amps = f.amperage?;
    let share = f.max_utilization.unwrap_or(100.0) / 100.0;
    let three_phase = f
        .phase
        .as_ref()
        .and_then(|p| p.value.as_deref())
        .is_some_and(|p| p == "three-phase");
    let dc = f
        .supply
        .as_ref()
        .and_then(|s| s.value.as_deref())
        .is_some_and(|s| s == "dc");
    let phases = if three_phase && !dc { 3f64.sqrt() } else { 1.0 };
    let w = (volts * amps * share * phases).round();
    (w > 0.0).then_some(w)
}

/// The far ends of a cable that are objects of `type_`.
fn ends<'a>(c: &'a Cabled, type_: &str) -> impl Iterator<Item = &'a super::api::Endpoint> {
    let (ends, t) = c.far_end();
    ends.iter().filter(move |_| t == type_)
}

/// Where a device's power comes from, by power port.
struct Power {
    feeds: BTreeSet<String>,
    /// PDUs and components whose outlets feed it.
    sources: BTreeSet<String>,
    gaps: Vec<(Gap, String)>,
    /// Allocated draw over all ports, when NetBox has one.
    draw: Option<f64>,
    /// The largest maximum draw of a port: a PDU inlet's rating.
    rating: Option<f64>,
}

fn power(ctx: &Ctx, d: &Device, id: &str) -> Power {
    let mut p = Power {
        feeds: BTreeSet::new(),
        sources: BTreeSet::new(),
        gaps: Vec::new(),
        draw: None,
        rating: None,
    };
    for port in ctx.power_ports.get(&d.id).into_iter().flatten() {
        if let Some(w) = port.allocated_draw {
            p.draw = Some(p.draw.unwrap_or(0.0) + w);
        }
        if let Some(w) = port.maximum_draw {
            p.rating = Some(p.rating.unwrap_or(0.0).max(w));
        }
        let name = format!("{id} {}", port.name);
        let (far, _) = port.cabled.far_end();
        if port.cabled.cable.is_none() && far.is_empty() {
            p.gaps.push((Gap::PowerPortNotCabled, name));
            continue;
        }
        let mut followed = false;
        for e in ends(&port.cabled, "dcim.powerfeed") {
            if let Some(feed) = ctx.id(Model::PowerFeed, e.id) {
                p.feeds.insert(feed);
                followed = true;
            }
        }
        for e in ends(&port.cabled, "dcim.poweroutlet") {
            let other = e
                .device
                .as_ref()
                .and_then(|o| ctx.device_as(o.id, &[RoleKind::Pdu, RoleKind::Component]));
            if let Some(other) = other {
                p.sources.insert(other);
                followed = true;
            }
        }
        if !followed {
            p.gaps.push((Gap::PowerNotFollowed, name));
        }
    }
    p
}

/// Devices at the far end of the device's cabled data interfaces that are
/// imported as switches. Management-only interfaces do not count: losing
/// the management switch does not take a host's services down.
fn switch_peers(ctx: &Ctx, d: &Device) -> BTreeSet<u64> {
    let mut peers = BTreeSet::new();
    for i in ctx.interfaces.get(&d.id).into_iter().flatten() {
        if i.mgmt_only == Some(true) {
            continue;
        }
        for e in ends(&i.cabled, "dcim.interface") {
            if let Some(o) = &e.device
                && o.id != d.id
                && ctx.kinds.get(&o.id) == Some(&RoleKind::Switch)
            {
                peers.insert(o.id);
            }
        }
    }
    peers
}

fn device(ctx: &Ctx, d: &Device) -> Option<Entity> {
    let kind = *ctx.kinds.get(&d.id)?;
    let id = ctx.id(Model::Device, d.id)?;
    let mut e = Entity::new(
        match kind {
            RoleKind::Host => Kind::Host,
            RoleKind::Switch => Kind::Switch,
            RoleKind::Pdu => Kind::Pdu,
            RoleKind::Component => Kind::Component,
            RoleKind::Skip => return None,
        },
        (Model::Device, d.id),
    );
    e.sites = ctx.site_slug(d.site.as_ref()).into_iter().collect();
    e.tags = tags(&d.tags);
    let site = d.site.as_ref().and_then(|s| ctx.id(Model::Site, s.id));
    if kind == RoleKind::Component {
        let role = d.role().and_then(|r| r.slug.clone().or(r.name.clone()));
        e.set("kind", Value::Text(role.unwrap_or_else(|| "device".into())));
    }
    let mut requires = BTreeSet::new();
    match d.rack.as_ref().and_then(|r| ctx.id(Model::Rack, r.id)) {
        Some(rack) => e.set("rack", Value::Ref(rack)),
        None => {
            e.gaps.push((Gap::DeviceWithoutRack, id.clone()));
            // Without a rack the site is all that places it.
            match (kind, site) {
                (RoleKind::Component, Some(s)) => e.set("site", Value::Ref(s)),
                (_, Some(s)) => {
                    requires.insert(s);
                }
                (_, None) => {}
            }
        }
    }
    let mut p = power(ctx, d, &id);
    e.gaps.append(&mut p.gaps);
    if kind == RoleKind::Pdu {
        let mut feeds = p.feeds.into_iter();
        match feeds.next() {
            Some(f) => e.set("feed", Value::Ref(f)),
            None => e.gaps.push((Gap::PduWithoutFeed, id.clone())),
        }
        if feeds.next().is_some() {
            e.gaps.push((Gap::PduSeveralFeeds, id.clone()));
        }
        if let Some(w) = p.rating.filter(|w| *w > 0.0) {
            e.set("capacity_w", Value::Number(w));
        }
        // Fed from another PDU's or a UPS's outlet.
        requires.extend(p.sources);
    } else {
        let sources: BTreeSet<String> = p.feeds.into_iter().chain(p.sources).collect();
        e.set_refs("power", sources);
        let peers = switch_peers(ctx, d);
        if kind == RoleKind::Switch {
            let mine = tier(d.role());
            let up = peers
                .into_iter()
                .filter(|o| ctx.devices.get(o).is_some_and(|o| tier(o.role()) < mine))
                .filter_map(|o| ctx.id(Model::Device, o))
                .collect();
            e.set_refs("uplinks", up);
        } else {
            let network: BTreeSet<String> = peers
                .into_iter()
                .filter_map(|o| ctx.id(Model::Device, o))
                .collect();
            if network.is_empty() && kind == RoleKind::Host {
                e.gaps.push((Gap::HostWithoutNetwork, id.clone()));
            }
            e.set_refs("network", network);
        }
        if kind == RoleKind::Host
            && let Some(c) = d
                .cluster
                .as_ref()
                .and_then(|c| ctx.id(Model::Cluster, c.id))
        {
            e.set("cluster", Value::Ref(c));
        }
        if let Some(w) = p.draw.filter(|w| *w > 0.0) {
            e.set("draw_w", Value::Number(w));
        }
    }
    e.set_refs("requires", requires);
    Some(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn brief(id: u64, name: &str) -> serde_json::Value {
        json!({"id": id, "name": name, "slug": slug(name)})
    }

    fn outlet(pdu: u64) -> serde_json::Value {
        json!({"cable": {"id": 1}, "connected_endpoints_type": "dcim.poweroutlet",
               "connected_endpoints": [{"id": 900 + pdu, "device": {"id": pdu}}]})
    }

    fn link(peer: u64) -> serde_json::Value {
        json!({"cable": {"id": 1}, "connected_endpoints_type": "dcim.interface",
               "connected_endpoints": [{"id": 800 + peer, "device": {"id": peer}}]})
    }

    fn with(mut base: serde_json::Value, extra: serde_json::Value) -> serde_json::Value {
        for (k, v) in extra.as_object().unwrap() {
            base[k] = v.clone();
        }
        base
    }

    /// One rack with an A and a B feed (one three-phase), two PDUs, two
    /// ToR switches, a host cabled to all of them, and VMs.
    fn estate() -> Data {
        let site = json!({"id": 1, "slug": "dc1"});
        let rack = brief(7, "R 12");
        let dev = |id: u64, name: &str, role: &str| {
            json!({"id": id, "name": name, "site": site, "rack": rack,
                   "role": {"id": 1, "slug": slug(role), "name": role}})
        };
        let port = |id: u64, device: u64, name: &str, cabled: serde_json::Value| {
            with(
                json!({"id": id, "name": name, "device": {"id": device}}),
                cabled,
            )
        };
        let v = json!({
            "sites": [{"id": 1, "name": "DC 1", "slug": "dc1", "tags": [{"id": 1, "slug": "prod"}]}],
            "racks": [{"id": 7, "name": "R 12", "site": site}],
            "power_panels": [{"id": 3, "name": "Panel A", "site": site}],
            "power_feeds": [
                {"id": 11, "name": "A", "power_panel": {"id": 3}, "voltage": 230, "amperage": 32,
                 "max_utilization": 80, "phase": {"value": "single-phase"}, "supply": {"value": "ac"}},
                {"id": 12, "name": "B", "power_panel": {"id": 3}, "voltage": 400, "amperage": 16,
                 "max_utilization": 80, "phase": {"value": "three-phase"}, "supply": {"value": "ac"}},
                {"id": 13, "name": "DC", "power_panel": {"id": 3}, "voltage": -48, "amperage": 100,
                 "max_utilization": 100, "phase": {"value": "three-phase"}, "supply": {"value": "dc"}}
            ],
            "devices": [
                dev(20, "pdu-a", "PDU"), dev(21, "pdu-b", "PDU"),
                dev(30, "tor-a", "ToR Switch"), dev(31, "tor-b", "ToR Switch"),
                dev(32, "spine", "Spine"),
                with(dev(40, "esx1", "Hypervisor"), json!({"cluster": {"id": 5}})),
                // NetBox 3.x: `device_role`, and no rack.
                {"id": 41, "name": "nas", "site": site, "device_role": {"id": 2, "slug": "storage"}},
                // Same name as esx1 in the same site (another tenant).
                dev(42, "ESX1", "Hypervisor"),
            ],
            "power_ports": [
                port(1, 20, "inlet", json!({"cable": {"id": 2}, "connected_endpoints_type": "dcim.powerfeed",
                    "connected_endpoints": [{"id": 11}]})),
                with(port(2, 21, "inlet", json!({"cable": {"id": 3}, "connected_endpoints_type": "dcim.powerfeed",
                    "connected_endpoints": [{"id": 12}]})), json!({"maximum_draw": 7400})),
                with(port(3, 40, "PSU1", outlet(20)), json!({"allocated_draw": 200})),
                with(port(4, 40, "PSU2", outlet(21)), json!({"allocated_draw": 200})),
                port(5, 41, "PSU1", json!({})),
                port(6, 30, "PSU1", outlet(40)),
            ],
            "interfaces": [
                with(json!({"id": 1, "device": {"id": 40}}), link(30)),
                with(json!({"id": 2, "device": {"id": 40}}), link(31)),
                with(json!({"id": 3, "device": {"id": 40}, "mgmt_only": true}), link(32)),
                with(json!({"id": 4, "device": {"id": 30}}), link(31)),
                with(json!({"id": 5, "device": {"id": 31}}), link(30)),
                with(json!({"id": 6, "device": {"id": 30}}), link(32)),
                with(json!({"id": 7, "device": {"id": 32}}), link(30)),
            ],
            "clusters": [
                {"id": 5, "name": "Prod", "scope_type": "dcim.site", "scope": {"id": 1, "slug": "dc1"}},
                {"id": 6, "name": "Lab", "site": {"id": 1, "slug": "dc1"}}
            ],
            "virtual_machines": [
                {"id": 100, "name": "web1", "cluster": {"id": 5}, "memory": 4096,
                 "tags": [{"id": 2, "slug": "shop"}]},
                {"id": 101, "name": "db1", "cluster": {"id": 5}, "device": {"id": 40}},
                {"id": 102, "name": "orphan"}
            ]
        });
        let field = |k: &str| v[k].clone();
        Data {
            sites: serde_json::from_value(field("sites")).unwrap(),
            racks: serde_json::from_value(field("racks")).unwrap(),
            power_panels: serde_json::from_value(field("power_panels")).unwrap(),
            power_feeds: serde_json::from_value(field("power_feeds")).unwrap(),
            devices: serde_json::from_value(field("devices")).unwrap(),
            power_ports: serde_json::from_value(field("power_ports")).unwrap(),
            interfaces: serde_json::from_value(field("interfaces")).unwrap(),
            clusters: serde_json::from_value(field("clusters")).unwrap(),
            virtual_machines: serde_json::from_value(field("virtual_machines")).unwrap(),
        }
    }

    fn refs(v: &[&str]) -> Value {
        Value::Refs(v.iter().map(|s| (*s).to_owned()).collect())
    }

    fn fields(m: &Mapped, id: &str) -> Vec<(&'static str, Value)> {
        m.entities
            .get(id)
            .unwrap_or_else(|| panic!("no {id} in {:?}", m.entities.keys()))
            .fields
            .clone()
    }

    #[test]
    fn power_network_clusters_and_vms() {
        let m = map(&estate(), &[]).unwrap();
        assert_eq!(
            fields(&m, "dc1/panel-a/a"),
            [
                ("site", Value::Ref("dc1".into())),
                ("capacity_w", Value::Number(5888.0)),
                ("requires", refs(&["dc1/panel-a"]))
            ]
        );
        // 400 V x 16 A x 0.8 x sqrt(3); DC feeds are never three-phase.
        assert_eq!(
            fields(&m, "dc1/panel-a/b")[1],
            ("capacity_w", Value::Number(8868.0))
        );
        assert_eq!(
            fields(&m, "dc1/panel-a/dc")[1],
            ("capacity_w", Value::Number(4800.0))
        );
        assert_eq!(
            fields(&m, "dc1/pdu-b"),
            [
                ("rack", Value::Ref("dc1/r-12".into())),
                ("feed", Value::Ref("dc1/panel-a/b".into())),
                ("capacity_w", Value::Number(7400.0))
            ]
        );
        // The host: A+B power, both ToRs (not the management link), its
        // cluster, the allocated draw of both supplies. Its name clashes
        // with another device's, so both carry their NetBox number.
        assert_eq!(
            fields(&m, "dc1/esx1~device-40"),
            [
                ("rack", Value::Ref("dc1/r-12".into())),
                ("power", refs(&["dc1/pdu-a", "dc1/pdu-b"])),
                ("network", refs(&["dc1/tor-a", "dc1/tor-b"])),
                ("cluster", Value::Ref("prod".into())),
                ("draw_w", Value::Number(400.0))
            ]
        );
        assert!(m.entities.contains_key("dc1/esx1~device-42"));
        // ToRs: the spine is an uplink, the other ToR a peer; a power cable
        // to a host's outlet cannot be followed.
        let tor = &m.entities["dc1/tor-a"];
        assert_eq!(tor.field("uplinks"), Some(&refs(&["dc1/spine"])));
        assert_eq!(tor.field("power"), None);
        assert_eq!(tor.gaps, [(Gap::PowerNotFollowed, "dc1/tor-a PSU1".into())]);
        assert_eq!(m.entities["dc1/spine"].field("uplinks"), None);
        // NetBox 3.x role field; no rack: the site, as a requirement.
        let nas = &m.entities["dc1/nas"];
        assert_eq!(nas.kind, Kind::Host);
        assert_eq!(nas.field("requires"), Some(&refs(&["dc1"])));
        let mut gaps: Vec<Gap> = nas.gaps.iter().map(|(g, _)| *g).collect();
        gaps.sort();
        assert_eq!(
            gaps,
            [
                Gap::PowerPortNotCabled,
                Gap::DeviceWithoutRack,
                Gap::HostWithoutNetwork
            ]
        );
        // VMs: floating with memory in GB, pinned, or left out.
        assert_eq!(
            fields(&m, "prod/web1"),
            [
                ("cluster", Value::Ref("prod".into())),
                ("memory_gb", Value::Number(4.0))
            ]
        );
        assert_eq!(
            fields(&m, "prod/db1"),
            [("host", Value::Ref("dc1/esx1~device-40".into()))]
        );
        assert_eq!(m.left_out.len(), 1);
        assert_eq!(m.left_out[0].name, "orphan");
        assert_eq!(
            m.entities["lab"].gaps,
            [(Gap::ClusterWithoutHosts, "lab".into())]
        );
        // Clusters know their site in both the 3.x and the 4.2 way.
        assert_eq!(m.entities["prod"].sites, ["dc1"]);
        assert_eq!(m.entities["lab"].sites, ["dc1"]);
        assert_eq!(m.entities["dc1"].tags, ["prod"]);
    }

    #[test]
    fn the_written_files_load_without_errors() {
        for overrides in [vec![], vec![("storage".to_owned(), RoleKind::Component)]] {
            let m = map(&estate(), &overrides).unwrap();
            let files: Vec<(String, Vec<u8>)> = super::super::write::render(&m, "u", "c")
                .into_iter()
                .map(|(n, t)| (n, t.into_bytes()))
                .collect();
            let model = crate::model::load::load(files).unwrap_or_else(|f| {
                panic!(
                    "{:?}",
                    f.errors.iter().map(|e| &e.message).collect::<Vec<_>>()
                )
            });
            assert_eq!(model.len(), m.entities.len());
        }
    }

    #[test]
    fn a_tagged_vm_brings_what_it_runs_on() {
        use super::super::select::{Filter, select};
        let m = map(&estate(), &[]).unwrap();
        let filter = Filter {
            sites: vec![],
            tag: Some("shop".into()),
        };
        let m = select(m, &filter).unwrap();
        let ids: Vec<&str> = m.entities.keys().map(String::as_str).collect();
        assert_eq!(
            ids,
            [
                "dc1",
                "dc1/esx1~device-40",
                "dc1/panel-a",
                "dc1/panel-a/a",
                "dc1/panel-a/b",
                "dc1/pdu-a",
                "dc1/pdu-b",
                "dc1/r-12",
                "dc1/spine",
                "dc1/tor-a",
                "dc1/tor-b",
                "prod",
                "prod/web1"
            ]
        );
        assert!(m.left_out.is_empty());
    }

    #[test]
    fn overrides_make_components_placed_by_site() {
        let m = map(&estate(), &[("storage".into(), RoleKind::Component)]).unwrap();
        assert_eq!(
            fields(&m, "dc1/nas"),
            [
                ("kind", Value::Text("storage".into())),
                ("site", Value::Ref("dc1".into()))
            ]
        );
    }
}
