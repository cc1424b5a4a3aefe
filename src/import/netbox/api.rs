//! The NetBox REST objects the importer reads, with only the fields the
//! mapping needs. Everything else NetBox sends is ignored, so a field added
//! by a newer NetBox never breaks an import, and every field here is
//! optional (an `Option`, which serde leaves `None` when the field is
//! missing) where some supported version (3.5 to 4.x) lacks it or may
//! send `null`.

use serde::Deserialize;

/// One page of a list endpoint.
#[derive(Deserialize, Debug)]
pub struct Page<T> {
    pub count: Option<u64>,
    pub next: Option<String>,
    pub results: Vec<T>,
}

/// A nested (brief) object: a site, rack, role, tag, device... inside
/// another object. Virtual-chassis members have `name: null`.
#[derive(Deserialize, Debug, Clone, Default)]
pub struct Brief {
    pub id: u64,
    pub name: Option<String>,
    pub slug: Option<String>,
}

/// A choice field: `{"value": "three-phase", "label": "Three-phase"}`.
#[derive(Deserialize, Debug, Clone, Default)]
pub struct Choice {
    pub value: Option<String>,
}

#[derive(Deserialize, Debug)]
pub struct Site {
    pub id: u64,
    pub slug: String,
    #[serde(default)]
    pub tags: Vec<Brief>,
}

#[derive(Deserialize, Debug)]
pub struct Rack {
    pub id: u64,
    pub name: String,
    pub site: Brief,
    #[serde(default)]
    pub tags: Vec<Brief>,
}

#[derive(Deserialize, Debug)]
pub struct PowerPanel {
    pub id: u64,
    pub name: String,
    pub site: Brief,
    #[serde(default)]
    pub tags: Vec<Brief>,
}

#[derive(Deserialize, Debug)]
pub struct PowerFeed {
    pub id: u64,
    pub name: String,
    pub power_panel: Brief,
    pub supply: Option<Choice>,
    pub phase: Option<Choice>,
    pub voltage: Option<f64>,
    pub amperage: Option<f64>,
    pub max_utilization: Option<f64>,
    #[serde(default)]
    pub tags: Vec<Brief>,
}

#[derive(Deserialize, Debug)]
pub struct Device {
    pub id: u64,
    pub name: Option<String>,
    /// What NetBox shows for an unnamed device: `r105-torsw:1` for a
    /// virtual-chassis member, `Lenovo Flex system (106)` otherwise.
    pub display: Option<String>,
    /// NetBox 3.6 and later.
    pub role: Option<Brief>,
    /// NetBox 3.x (removed in 4.0).
    pub device_role: Option<Brief>,
    pub site: Option<Brief>,
    pub rack: Option<Brief>,
    pub cluster: Option<Brief>,
    #[serde(default)]
    pub tags: Vec<Brief>,
    pub interface_count: Option<u64>,
    pub power_port_count: Option<u64>,
    pub front_port_count: Option<u64>,
    pub rear_port_count: Option<u64>,
}

impl Device {
    pub fn role(&self) -> Option<&Brief> {
        self.role.as_ref().or(self.device_role.as_ref())
    }
}

/// The far end of a cable path: a power outlet or interface (with its
/// device) or a power feed (with its panel).
#[derive(Deserialize, Debug, Clone)]
pub struct Endpoint {
    pub id: u64,
    pub device: Option<Brief>,
}

/// What a power port or interface is cabled to.
#[derive(Deserialize, Debug)]
pub struct Cabled {
    pub cable: Option<Brief>,
    pub connected_endpoints: Option<Vec<Endpoint>>,
    pub connected_endpoints_type: Option<String>,
    pub link_peers: Option<Vec<Endpoint>>,
    pub link_peers_type: Option<String>,
}

impl Cabled {
    /// The objects at the far end of the cable path and their type
    /// (`dcim.poweroutlet`...): the traced endpoints, else the other end of
    /// the cable itself.
    pub fn far_end(&self) -> (&[Endpoint], &str) {
        match (&self.connected_endpoints, &self.connected_endpoints_type) {
            (Some(e), Some(t)) if !e.is_empty() => (e, t),
            _ => match (&self.link_peers, &self.link_peers_type) {
                (Some(e), Some(t)) if !e.is_empty() => (e, t),
                _ => (&[], ""),
            },
        }
    }
}

#[derive(Deserialize, Debug)]
pub struct PowerPort {
    pub id: u64,
    pub name: String,
    pub device: Brief,
    pub maximum_draw: Option<f64>,
    pub allocated_draw: Option<f64>,
    #[serde(flatten)]
    pub cabled: Cabled,
}

#[derive(Deserialize, Debug)]
pub struct Interface {
    pub device: Brief,
    pub mgmt_only: Option<bool>,
    #[serde(flatten)]
    pub cabled: Cabled,
}

#[derive(Deserialize, Debug)]
pub struct Cluster {
    pub id: u64,
    pub name: String,
    /// NetBox 3.x to 4.1.
    pub site: Option<Brief>,
    /// NetBox 4.2 and later: a cluster is scoped to a site, location,
    /// region or site group.
    pub scope_type: Option<String>,
    pub scope: Option<Brief>,
    #[serde(default)]
    pub tags: Vec<Brief>,
}

impl Cluster {
    /// The slug of the site the cluster is in, when NetBox says.
    pub fn site_slug(&self) -> Option<&str> {
        if let Some(s) = &self.site {
            return s.slug.as_deref();
        }
        match (&self.scope_type, &self.scope) {
            (Some(t), Some(s)) if t == "dcim.site" => s.slug.as_deref(),
            _ => None,
        }
    }
}

#[derive(Deserialize, Debug)]
pub struct VirtualMachine {
    pub id: u64,
    pub name: String,
    pub site: Option<Brief>,
    pub cluster: Option<Brief>,
    /// The device it is pinned to (NetBox 3.6 and later).
    pub device: Option<Brief>,
    /// In MB.
    pub memory: Option<f64>,
    #[serde(default)]
    pub tags: Vec<Brief>,
}

/// Everything an import reads.
#[derive(Debug, Default)]
pub struct Data {
    pub sites: Vec<Site>,
    pub racks: Vec<Rack>,
    pub power_panels: Vec<PowerPanel>,
    pub power_feeds: Vec<PowerFeed>,
    pub devices: Vec<Device>,
    pub power_ports: Vec<PowerPort>,
    pub interfaces: Vec<Interface>,
    pub clusters: Vec<Cluster>,
    pub virtual_machines: Vec<VirtualMachine>,
}
