//! vCenter's inventory to faultline entities. docs/vsphere.md is the
//! user-facing statement of these rules; keep the two in step.
//!
//! - a cluster is `ha: restart` when vSphere HA is on, and keeps its
//!   enabled VM-VM anti-affinity rules as `anti_affinity`;
//! - a host has its cluster, memory, cores, and `standby` under DPM;
//! - a powered-on vm floats in its cluster when HA restarts it there, and
//!   is pinned to its host otherwise; a fault-tolerant primary is pinned
//!   with its secondary's host as `ft_secondary`; it requires its
//!   datastores;
//! - a datastore is a component, and one that a single host mounts
//!   requires that host.

use super::existing::Existing;
use super::gap::Gap;
use super::inventory::{Cluster, Host, Inventory, RuleKind, Vm};
use super::soap::MoRef;
use crate::import::ids::{Ids, slug};
use crate::import::write::Value;
use crate::input::diag::InputError;
use crate::model::Kind;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

#[derive(Clone, Debug)]
pub struct Entity {
    pub kind: Kind,
    pub moref: MoRef,
    /// In the order they are written; the `vsphere` label comes last.
    pub fields: Vec<(&'static str, Value)>,
}

impl Entity {
    fn new(kind: Kind, moref: &MoRef) -> Entity {
        Entity {
            kind,
            moref: moref.clone(),
            fields: Vec::new(),
        }
    }

    fn set(&mut self, name: &'static str, value: Value) {
        self.fields.push((name, value));
    }
}

#[derive(Debug, Default)]
pub struct Mapped {
    /// By id.
    pub entities: BTreeMap<String, Entity>,
    /// The names each gap applies to.
    pub gaps: BTreeMap<Gap, Vec<String>>,
}

impl Mapped {
    fn gap(&mut self, gap: Gap, name: impl Into<String>) {
        self.gaps.entry(gap).or_default().push(name.into());
    }
}

const GIB: f64 = (1u64 << 30) as f64;

/// What a host of vCenter becomes: a new entity, or one of `--hosts-from`.
enum HostId {
    New(String),
    Existing(String),
}

impl HostId {
    fn id(&self) -> &str {
        match self {
            HostId::New(id) | HostId::Existing(id) => id,
        }
    }
}

/// `clusters` keeps only the clusters of those names (all when empty).
pub fn map(
    inv: &Inventory,
    clusters: &[String],
    existing: &Existing,
) -> Result<Mapped, InputError> {
    let kept_clusters = select_clusters(inv, clusters)?;
    let cluster_of: HashMap<&MoRef, &Cluster> =
        kept_clusters.iter().map(|c| (&c.moref, *c)).collect();
    let hosts: Vec<&Host> = inv
        .hosts
        .iter()
        .filter(|h| match &h.cluster {
            Some(c) => cluster_of.contains_key(c),
            None => clusters.is_empty(),
        })
        .collect();
    let host_by: HashMap<&MoRef, &Host> = hosts.iter().map(|h| (&h.moref, *h)).collect();
    let vm_by: HashMap<&MoRef, &Vm> = inv.vms.iter().map(|v| (&v.moref, v)).collect();

    let mut out = Mapped::default();
    let mut vms: Vec<&Vm> = Vec::new();
    for vm in &inv.vms {
        let on_kept_host = vm.host.as_ref().is_some_and(|h| host_by.contains_key(h));
        if vm.host.is_some() && !on_kept_host {
            continue;
        }
        if vm.ft_role.is_some_and(|r| r >= 2) {
            // A secondary is its primary's `ft_secondary`, not a vm.
            continue;
        }
        if vm.template {
            out.gap(Gap::Template, &vm.name);
        } else if vm.power != "poweredOn" {
            out.gap(Gap::VmPoweredOff, &vm.name);
        } else if !on_kept_host {
            if clusters.is_empty() {
                out.gap(Gap::VmWithoutHost, &vm.name);
            }
        } else {
            vms.push(vm);
        }
    }
    let datastores: Vec<_> = inv
        .datastores
        .iter()
        .filter(|d| d.hosts.iter().any(|h| host_by.contains_key(h)))
        .collect();

    // Ids: existing hosts keep theirs; every other object gets one.
    let mut host_ids: HashMap<&MoRef, HostId> = HashMap::new();
    let mut wanted: Vec<(MoRef, String)> = Vec::new();
    for h in &hosts {
        match existing.host_for(&h.name) {
            Ok(Some(id)) => {
                host_ids.insert(&h.moref, HostId::Existing(id.to_owned()));
            }
            Ok(None) => wanted.push((h.moref.clone(), slug(&h.name))),
            Err(candidates) => {
                return Err(InputError::plain(
                    "vsphere-hosts-from",
                    format!(
                        "vCenter host `{}` matches several hosts of --hosts-from: {}",
                        h.name,
                        candidates
                            .iter()
                            .map(|c| format!("`{c}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
                .help("host names are compared without letter case, `_` and `-` alike, whole or before the first dot; give the hosts distinct names in one of the two sources"));
            }
        }
    }
    wanted.extend(
        kept_clusters
            .iter()
            .map(|c| (c.moref.clone(), slug(&c.name))),
    );
    wanted.extend(vms.iter().map(|v| (v.moref.clone(), slug(&v.name))));
    wanted.extend(datastores.iter().map(|d| (d.moref.clone(), slug(&d.name))));
    let ids = Ids::assign(wanted, &existing.ids, |m: &MoRef| slug(&m.value));
    let id = |m: &MoRef| ids.get(m).unwrap_or_default().to_owned();
    for h in &hosts {
        host_ids
            .entry(&h.moref)
            .or_insert_with(|| HostId::New(id(&h.moref)));
    }
    let host_id = |m: &MoRef| host_ids.get(m).map(|h| h.id().to_owned());

    // Hosts, and the existing hosts each cluster claims.
    let mut claimed: BTreeMap<&MoRef, BTreeSet<String>> = BTreeMap::new();
    for h in &hosts {
        let hid = &host_ids[&h.moref];
        if h.connection != "connected" {
            out.gap(Gap::HostDisconnected, hid.id());
        }
        if h.maintenance {
            out.gap(Gap::HostInMaintenance, hid.id());
        }
        let cluster = h.cluster.as_ref().filter(|c| cluster_of.contains_key(c));
        match hid {
            HostId::Existing(eid) => {
                if let Some(c) = cluster {
                    if let Some(Some(other)) = existing.hosts.get(eid) {
                        return Err(InputError::plain(
                            "vsphere-hosts-from",
                            format!(
                                "host `{eid}` of --hosts-from is already in cluster `{other}`, and vCenter has it in cluster `{}`",
                                cluster_of[c].name
                            ),
                        )
                        .help("a host belongs to one cluster: describe clusters in one source only (leave the cluster out of the other)"));
                    }
                    claimed.entry(c).or_default().insert(eid.clone());
                }
            }
            HostId::New(hid) => {
                let mut e = Entity::new(Kind::Host, &h.moref);
                if let Some(c) = cluster {
                    e.set("cluster", Value::Ref(id(c)));
                }
                if let Some(b) = h.memory_bytes {
                    e.set("memory_gb", Value::Number(b / GIB));
                }
                if let Some(n) = h.cpus {
                    e.set("cpus", Value::Number(n));
                }
                if h.standby {
                    e.set("standby", Value::Bool(true));
                }
                out.entities.insert(hid.clone(), e);
            }
        }
    }

    // Datastores.
    let mut datastore_ids: HashMap<&MoRef, String> = HashMap::new();
    for d in &datastores {
        let did = id(&d.moref);
        let mut e = Entity::new(Kind::Component, &d.moref);
        e.set("kind", Value::Text("datastore".into()));
        if let [only] = d.hosts.as_slice()
            && let Some(h) = host_id(only)
        {
            e.set("requires", Value::Refs(vec![h]));
            out.gap(Gap::LocalDatastore, &did);
        }
        datastore_ids.insert(&d.moref, did.clone());
        out.entities.insert(did, e);
    }

    // Vms.
    let mut floating: HashMap<&MoRef, HashSet<&MoRef>> = HashMap::new();
    for vm in &vms {
        let Some(host_ref) = vm.host.as_ref() else {
            continue;
        };
        let vid = id(&vm.moref);
        let host = host_by[host_ref];
        let cluster = host.cluster.as_ref().and_then(|c| cluster_of.get(c));
        let secondary_host = (vm.ft_role == Some(1))
            .then(|| {
                vm.ft_secondaries
                    .iter()
                    .filter_map(|s| vm_by.get(s))
                    .filter(|s| s.power == "poweredOn")
                    .find_map(|s| s.host.as_ref().and_then(&host_id))
            })
            .flatten();
        let mut e = Entity::new(Kind::Vm, &vm.moref);
        match cluster {
            Some(c) if c.restarts(&vm.moref) && secondary_host.is_none() => {
                e.set("cluster", Value::Ref(id(&c.moref)));
                floating.entry(&c.moref).or_default().insert(&vm.moref);
            }
            _ => {
                if let Some(c) = cluster
                    && c.ha
                    && !c.restarts(&vm.moref)
                {
                    out.gap(Gap::NoHaRestart, &vid);
                }
                e.set("host", Value::Ref(host_id(host_ref).unwrap_or_default()));
                if let Some(s) = secondary_host {
                    e.set("ft_secondary", Value::Ref(s));
                }
            }
        }
        if let Some(mb) = vm.memory_mb {
            e.set("memory_gb", Value::Number(mb / 1024.0));
        }
        let needs: BTreeSet<String> = vm
            .datastores
            .iter()
            .filter_map(|d| datastore_ids.get(d).cloned())
            .collect();
        if !needs.is_empty() {
            e.set("requires", Value::Refs(needs.into_iter().collect()));
        }
        out.entities.insert(vid, e);
    }

    // Clusters.
    for c in &kept_clusters {
        let cid = id(&c.moref);
        let mut e = Entity::new(Kind::Cluster, &c.moref);
        e.set(
            "ha",
            Value::Text(if c.ha { "restart" } else { "none" }.into()),
        );
        if let Some(hosts) = claimed.remove(&c.moref) {
            e.set("hosts", Value::Refs(hosts.into_iter().collect()));
        }
        if c.ha && !c.admission_control {
            out.gap(Gap::NoAdmissionControl, &cid);
        }
        let empty = HashSet::new();
        let floats = floating.get(&c.moref).unwrap_or(&empty);
        let mut groups: BTreeSet<Vec<String>> = BTreeSet::new();
        for r in &c.rules {
            let name = format!("{cid}/{}", r.name);
            if !r.enabled {
                out.gap(Gap::RuleDisabled, name);
                continue;
            }
            match r.kind {
                RuleKind::Apart => {
                    let members: BTreeSet<String> = r
                        .vms
                        .iter()
                        .filter(|v| floats.contains(v))
                        .map(&id)
                        .collect();
                    if members.len() > 1 {
                        groups.insert(members.into_iter().collect());
                    }
                }
                RuleKind::Together => out.gap(Gap::AffinityRule, name),
                RuleKind::Other => out.gap(Gap::VmHostRule, name),
            }
        }
        if !groups.is_empty() {
            e.set("anti_affinity", Value::Groups(groups.into_iter().collect()));
        }
        out.entities.insert(cid, e);
    }
    Ok(out)
}

/// The clusters `names` asks for, or every one; an unknown name is an
/// error that lists the clusters there are.
fn select_clusters<'i>(
    inv: &'i Inventory,
    names: &[String],
) -> Result<Vec<&'i Cluster>, InputError> {
    if names.is_empty() {
        return Ok(inv.clusters.iter().collect());
    }
    for n in names {
        if !inv.clusters.iter().any(|c| &c.name == n) {
            let all: BTreeSet<&str> = inv.clusters.iter().map(|c| c.name.as_str()).collect();
            return Err(InputError::plain(
                "usage",
                format!("--cluster `{n}`: vCenter has no cluster of that name"),
            )
            .suggest(
                n,
                all.iter().copied(),
                format!(
                    "the clusters are: {}",
                    all.iter().copied().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
    }
    Ok(inv
        .clusters
        .iter()
        .filter(|c| names.contains(&c.name))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::super::inventory::{Datastore, Rule};
    use super::*;

    fn r(kind: &str, v: &str) -> MoRef {
        MoRef::new(kind, v)
    }

    fn host(n: u32, cluster: Option<&str>) -> Host {
        Host {
            moref: r("HostSystem", &format!("host-{n}")),
            name: format!("esx{n}.example.com"),
            cluster: cluster.map(|c| r("ClusterComputeResource", c)),
            connection: "connected".into(),
            maintenance: false,
            standby: false,
            memory_bytes: Some(256.0 * GIB),
            cpus: Some(32.0),
        }
    }

    fn vm(n: u32, host: u32) -> Vm {
        Vm {
            moref: r("VirtualMachine", &format!("vm-{n}")),
            name: format!("app{n}"),
            template: false,
            power: "poweredOn".into(),
            host: Some(r("HostSystem", &format!("host-{host}"))),
            memory_mb: Some(4096.0),
            ft_role: None,
            ft_secondaries: vec![],
            datastores: vec![r("Datastore", "datastore-1")],
        }
    }

    fn cluster(ha: bool) -> Cluster {
        Cluster {
            moref: r("ClusterComputeResource", "domain-c1"),
            name: "Prod".into(),
            ha,
            admission_control: true,
            restart_disabled_by_default: false,
            restart_overrides: vec![],
            rules: vec![],
        }
    }

    fn inventory(c: Cluster) -> Inventory {
        Inventory {
            clusters: vec![c],
            hosts: vec![host(1, Some("domain-c1")), host(2, Some("domain-c1"))],
            vms: vec![vm(1, 1), vm(2, 2), vm(3, 1)],
            datastores: vec![Datastore {
                moref: r("Datastore", "datastore-1"),
                name: "san-01".into(),
                hosts: vec![r("HostSystem", "host-1"), r("HostSystem", "host-2")],
            }],
        }
    }

    fn placement(m: &Mapped, id: &str) -> (&'static str, String) {
        let e = &m.entities[id];
        let (name, value) = &e.fields[0];
        match value {
            Value::Ref(r) => (*name, r.clone()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn ha_decides_floating_or_pinned_and_overrides_win() {
        let m = map(&inventory(cluster(true)), &[], &Existing::default()).unwrap();
        assert_eq!(placement(&m, "app1"), ("cluster", "prod".into()));
        assert_eq!(
            placement(&m, "esx1.example.com"),
            ("cluster", "prod".into())
        );
        let m = map(&inventory(cluster(false)), &[], &Existing::default()).unwrap();
        assert_eq!(placement(&m, "app1"), ("host", "esx1.example.com".into()));
        assert!(
            !m.gaps.contains_key(&Gap::NoHaRestart),
            "no HA, nothing to disable"
        );

        // Restart disabled for the cluster by default, enabled again for
        // one vm by its own override.
        let mut c = cluster(true);
        c.restart_disabled_by_default = true;
        c.restart_overrides = vec![(r("VirtualMachine", "vm-2"), false)];
        let m = map(&inventory(c), &[], &Existing::default()).unwrap();
        assert_eq!(placement(&m, "app1"), ("host", "esx1.example.com".into()));
        assert_eq!(placement(&m, "app2"), ("cluster", "prod".into()));
        assert_eq!(m.gaps[&Gap::NoHaRestart], ["app1", "app3"]);
    }

    #[test]
    fn anti_affinity_keeps_the_floating_vms_of_enabled_rules() {
        let mut c = cluster(true);
        let vms = |ns: &[u32]| {
            ns.iter()
                .map(|n| r("VirtualMachine", &format!("vm-{n}")))
                .collect()
        };
        c.restart_overrides = vec![(r("VirtualMachine", "vm-3"), true)];
        c.rules = vec![
            Rule {
                name: "a".into(),
                enabled: true,
                kind: RuleKind::Apart,
                vms: vms(&[2, 1, 3, 9]),
            },
            Rule {
                name: "b".into(),
                enabled: true,
                kind: RuleKind::Apart,
                vms: vms(&[1, 3]),
            },
            Rule {
                name: "c".into(),
                enabled: false,
                kind: RuleKind::Apart,
                vms: vms(&[1, 2]),
            },
        ];
        let m = map(&inventory(c), &[], &Existing::default()).unwrap();
        // vm-3 is pinned and vm-9 is not imported: only app1 and app2 are
        // kept apart by HA's placement; a rule left with one vm says
        // nothing.
        assert_eq!(
            m.entities["prod"].fields[1],
            (
                "anti_affinity",
                Value::Groups(vec![vec!["app1".into(), "app2".into()]])
            )
        );
        assert_eq!(m.gaps[&Gap::RuleDisabled], ["prod/c"]);
    }

    #[test]
    fn a_datastore_one_host_mounts_requires_it() {
        let mut inv = inventory(cluster(true));
        inv.datastores[0].hosts.truncate(1);
        let m = map(&inv, &[], &Existing::default()).unwrap();
        assert_eq!(
            m.entities["san-01"].fields[1],
            ("requires", Value::Refs(vec!["esx1.example.com".into()]))
        );
        assert_eq!(m.gaps[&Gap::LocalDatastore], ["san-01"]);
    }
}
