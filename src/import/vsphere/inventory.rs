//! What the import reads of each vCenter object, and the PropertyCollector
//! paths it reads it from (checked against govmomi's vCenter simulator and
//! the vSphere API reference).

use super::soap::{MoRef, ObjectContent};
use super::xml::Node;

pub const CLUSTER: &str = "ClusterComputeResource";
pub const HOST: &str = "HostSystem";
pub const VM: &str = "VirtualMachine";
pub const DATASTORE: &str = "Datastore";
pub const DATACENTER: &str = "Datacenter";

/// The types of a datacenter's view and the properties read of each.
pub const PROPERTIES: &[(&str, &[&str])] = &[
    (CLUSTER, &["name", "configurationEx"]),
    (
        HOST,
        &[
            "name",
            "parent",
            "runtime.connectionState",
            "runtime.inMaintenanceMode",
            "runtime.powerState",
            "hardware.memorySize",
            "summary.hardware.numCpuCores",
        ],
    ),
    (
        VM,
        &[
            "name",
            "config.template",
            "config.ftInfo",
            "runtime.powerState",
            "runtime.host",
            "summary.config.memorySizeMB",
            "datastore",
        ],
    ),
    (DATASTORE, &["name", "host"]),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleKind {
    /// VM-VM anti-affinity: the vms on distinct hosts.
    Apart,
    /// VM-VM affinity: the vms on one host.
    Together,
    /// VM-host (groups of vms to groups of hosts), or a type not known.
    Other,
}

#[derive(Clone, Debug)]
pub struct Rule {
    pub name: String,
    pub enabled: bool,
    pub kind: RuleKind,
    pub vms: Vec<MoRef>,
}

#[derive(Clone, Debug)]
pub struct Cluster {
    pub moref: MoRef,
    pub name: String,
    /// vSphere HA (`dasConfig.enabled`).
    pub ha: bool,
    /// HA admission control, which keeps room to restart vms after a host
    /// failure.
    pub admission_control: bool,
    /// `dasConfig.defaultVmSettings.restartPriority` is `disabled`.
    pub restart_disabled_by_default: bool,
    /// Per-vm HA overrides: the vm, and whether restart is disabled.
    pub restart_overrides: Vec<(MoRef, bool)>,
    pub rules: Vec<Rule>,
}

impl Cluster {
    /// Whether HA restarts `vm` after its host fails.
    pub fn restarts(&self, vm: &MoRef) -> bool {
        let disabled = self
            .restart_overrides
            .iter()
            .find(|(v, _)| v == vm)
            .map_or(self.restart_disabled_by_default, |(_, d)| *d);
        self.ha && !disabled
    }
}

#[derive(Clone, Debug)]
pub struct Host {
    pub moref: MoRef,
    pub name: String,
    /// Its cluster, when its parent is one (a standalone host's parent is
    /// a plain ComputeResource).
    pub cluster: Option<MoRef>,
    /// `connected`, `disconnected`, `notResponding`.
    pub connection: String,
    pub maintenance: bool,
    /// Put in standby by DPM.
    pub standby: bool,
    pub memory_bytes: Option<f64>,
    pub cpus: Option<f64>,
}

#[derive(Clone, Debug)]
pub struct Vm {
    pub moref: MoRef,
    pub name: String,
    pub template: bool,
    /// `poweredOn`, `poweredOff`, `suspended`.
    pub power: String,
    pub host: Option<MoRef>,
    pub memory_mb: Option<f64>,
    /// Fault tolerance: 1 for the primary, 2 and up for secondaries.
    pub ft_role: Option<u32>,
    /// A primary's secondaries (vms).
    pub ft_secondaries: Vec<MoRef>,
    pub datastores: Vec<MoRef>,
}

#[derive(Clone, Debug)]
pub struct Datastore {
    pub moref: MoRef,
    pub name: String,
    /// The hosts that mount it: one only for local storage.
    pub hosts: Vec<MoRef>,
}

#[derive(Clone, Debug)]
pub struct Datacenter {
    pub moref: MoRef,
    pub name: String,
}

/// Everything read of the datacenters imported.
#[derive(Clone, Debug, Default)]
pub struct Inventory {
    pub clusters: Vec<Cluster>,
    pub hosts: Vec<Host>,
    pub vms: Vec<Vm>,
    pub datastores: Vec<Datastore>,
}

fn text(o: &ObjectContent, path: &str) -> Option<String> {
    o.prop(path).map(|n| n.text.clone())
}

fn flag(o: &ObjectContent, path: &str) -> bool {
    o.prop(path).is_some_and(Node::is_true)
}

/// A size or a count: a negative or non-finite one is no answer.
fn number(o: &ObjectContent, path: &str) -> Option<f64> {
    o.prop(path)?
        .text
        .parse()
        .ok()
        .filter(|n: &f64| n.is_finite() && *n >= 0.0)
}

/// Every reference in an `ArrayOfManagedObjectReference`.
fn refs(n: Option<&Node>) -> Vec<MoRef> {
    n.map(|n| n.children.iter().filter_map(MoRef::of).collect())
        .unwrap_or_default()
}

/// A name for an object vCenter may leave unnamed: its reference.
fn name(o: &ObjectContent) -> String {
    text(o, "name")
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| o.obj.value.clone())
}

pub fn datacenter(o: &ObjectContent) -> Datacenter {
    Datacenter {
        moref: o.obj.clone(),
        name: name(o),
    }
}

impl Inventory {
    /// Adds the objects of one datacenter's view.
    pub fn add(&mut self, objects: &[ObjectContent]) {
        for o in objects {
            match o.obj.kind.as_str() {
                CLUSTER => self.clusters.push(cluster(o)),
                HOST => self.hosts.push(host(o)),
                VM => self.vms.push(vm(o)),
                DATASTORE => self.datastores.push(datastore(o)),
                _ => {}
            }
        }
    }
}

fn cluster(o: &ObjectContent) -> Cluster {
    let cfg = o.prop("configurationEx");
    let at = |path: &str| cfg.and_then(|c| c.at(path));
    let disabled = |n: &Node| {
        n.at("dasSettings.restartPriority")
            .or_else(|| n.child("restartPriority"))
            .is_some_and(|p| p.text == "disabled")
    };
    let restart_overrides = cfg
        .map(|c| {
            c.all("dasVmConfig")
                .filter_map(|v| Some((v.child("key").and_then(MoRef::of)?, disabled(v))))
                .collect()
        })
        .unwrap_or_default();
    let rules = cfg
        .map(|c| {
            c.all("rule")
                .map(|r| Rule {
                    name: r.child("name").map(|n| n.text.clone()).unwrap_or_default(),
                    enabled: r.child("enabled").is_some_and(Node::is_true),
                    kind: match r.xsi_type.as_deref() {
                        Some("ClusterAntiAffinityRuleSpec") => RuleKind::Apart,
                        Some("ClusterAffinityRuleSpec") => RuleKind::Together,
                        _ => RuleKind::Other,
                    },
                    vms: r.all("vm").filter_map(MoRef::of).collect(),
                })
                .collect()
        })
        .unwrap_or_default();
    Cluster {
        moref: o.obj.clone(),
        name: name(o),
        ha: at("dasConfig.enabled").is_some_and(Node::is_true),
        admission_control: at("dasConfig.admissionControlEnabled").is_some_and(Node::is_true),
        restart_disabled_by_default: at("dasConfig.defaultVmSettings.restartPriority")
            .is_some_and(|p| p.text == "disabled"),
        restart_overrides,
        rules,
    }
}

fn host(o: &ObjectContent) -> Host {
    Host {
        moref: o.obj.clone(),
        name: name(o),
        cluster: o
            .prop("parent")
            .and_then(MoRef::of)
            .filter(|p| p.kind == CLUSTER),
        connection: text(o, "runtime.connectionState").unwrap_or_default(),
        maintenance: flag(o, "runtime.inMaintenanceMode"),
        standby: text(o, "runtime.powerState").as_deref() == Some("standBy"),
        memory_bytes: number(o, "hardware.memorySize"),
        cpus: number(o, "summary.hardware.numCpuCores"),
    }
}

fn vm(o: &ObjectContent) -> Vm {
    let ft = o.prop("config.ftInfo");
    Vm {
        moref: o.obj.clone(),
        name: name(o),
        template: flag(o, "config.template"),
        power: text(o, "runtime.powerState").unwrap_or_default(),
        host: o.prop("runtime.host").and_then(MoRef::of),
        memory_mb: number(o, "summary.config.memorySizeMB"),
        ft_role: ft
            .and_then(|f| f.child("role"))
            .and_then(|r| r.text.parse().ok()),
        ft_secondaries: ft
            .map(|f| f.all("secondaries").filter_map(MoRef::of).collect())
            .unwrap_or_default(),
        datastores: refs(o.prop("datastore")),
    }
}

fn datastore(o: &ObjectContent) -> Datastore {
    let hosts = o
        .prop("host")
        .map(|h| {
            h.all("DatastoreHostMount")
                .filter(|m| {
                    // An unmounted datastore still lists the host.
                    m.at("mountInfo.mounted").is_none_or(|n| n.text != "false")
                })
                .filter_map(|m| m.child("key").and_then(MoRef::of))
                .collect()
        })
        .unwrap_or_default();
    Datastore {
        moref: o.obj.clone(),
        name: name(o),
        hosts,
    }
}
