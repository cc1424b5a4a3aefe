//! What vCenter knows that the description cannot say, or that makes the
//! description less than the truth: each gap is listed in the report so
//! that nobody mistakes the import for the whole picture.

use super::mapping::Mapped;
use crate::import::report::{self, Report};
use crate::model::Kind;
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Gap {
    /// Powered off or suspended: runs nothing now.
    VmPoweredOff,
    Template,
    /// Powered on with no host (vCenter lost track of it).
    VmWithoutHost,
    /// Disconnected or not responding: what vCenter says of it may be old.
    HostDisconnected,
    HostInMaintenance,
    RuleDisabled,
    /// VM-VM affinity: DRS keeps the vms on one host, so one host failure
    /// takes them all; the description has no way to say "together".
    AffinityRule,
    /// VM-host rules (groups of vms on groups of hosts).
    VmHostRule,
    /// HA without admission control may have no room to restart vms.
    NoAdmissionControl,
    /// In an HA cluster, but HA does not restart it: pinned to its host.
    NoHaRestart,
    /// Mounted by one host only: its vms need that host.
    LocalDatastore,
}

impl Gap {
    const ALL: [Gap; 11] = [
        Gap::VmPoweredOff,
        Gap::Template,
        Gap::VmWithoutHost,
        Gap::HostDisconnected,
        Gap::HostInMaintenance,
        Gap::RuleDisabled,
        Gap::AffinityRule,
        Gap::VmHostRule,
        Gap::NoAdmissionControl,
        Gap::NoHaRestart,
        Gap::LocalDatastore,
    ];

    fn key(self) -> &'static str {
        match self {
            Gap::VmPoweredOff => "vms_powered_off",
            Gap::Template => "templates",
            Gap::VmWithoutHost => "vms_without_host",
            Gap::HostDisconnected => "hosts_disconnected",
            Gap::HostInMaintenance => "hosts_in_maintenance",
            Gap::RuleDisabled => "rules_disabled",
            Gap::AffinityRule => "affinity_rules",
            Gap::VmHostRule => "vm_host_rules",
            Gap::NoAdmissionControl => "clusters_without_admission_control",
            Gap::NoHaRestart => "vms_without_ha_restart",
            Gap::LocalDatastore => "local_datastores",
        }
    }

    fn text(self, n: usize) -> &'static str {
        let one = n == 1;
        match self {
            Gap::VmPoweredOff if one => "vm powered off or suspended (left out)",
            Gap::VmPoweredOff => "vms powered off or suspended (left out)",
            Gap::Template if one => "template (left out)",
            Gap::Template => "templates (left out)",
            Gap::VmWithoutHost if one => "powered-on vm without a host (left out)",
            Gap::VmWithoutHost => "powered-on vms without a host (left out)",
            Gap::HostDisconnected if one => "host disconnected or not responding",
            Gap::HostDisconnected => "hosts disconnected or not responding",
            Gap::HostInMaintenance if one => "host in maintenance mode",
            Gap::HostInMaintenance => "hosts in maintenance mode",
            Gap::RuleDisabled if one => "disabled DRS rule (not imported)",
            Gap::RuleDisabled => "disabled DRS rules (not imported)",
            Gap::AffinityRule if one => {
                "VM-VM affinity rule: keeps its vms on one host (not expressible)"
            }
            Gap::AffinityRule => {
                "VM-VM affinity rules: keep their vms on one host (not expressible)"
            }
            Gap::VmHostRule if one => "VM-host rule (not expressible)",
            Gap::VmHostRule => "VM-host rules (not expressible)",
            Gap::NoAdmissionControl if one => "HA cluster without admission control",
            Gap::NoAdmissionControl => "HA clusters without admission control",
            Gap::NoHaRestart if one => "vm with HA restart disabled (pinned to its host)",
            Gap::NoHaRestart => "vms with HA restart disabled (pinned to their host)",
            Gap::LocalDatastore if one => "local datastore (its vms need its host)",
            Gap::LocalDatastore => "local datastores (their vms need their host)",
        }
    }
}

/// The sections the import writes, in report order.
pub const SECTIONS: [Kind; 4] = [Kind::Cluster, Kind::Host, Kind::Vm, Kind::Component];

/// The report of `mapped`, read in `requests` requests.
pub fn of(mapped: &Mapped, requests: u64) -> Report {
    let mut counts: BTreeMap<Kind, usize> = BTreeMap::new();
    for e in mapped.entities.values() {
        *counts.entry(e.kind).or_default() += 1;
    }
    Report {
        source_name: "vCenter",
        imported: SECTIONS
            .iter()
            .map(|k| (*k, counts.get(k).copied().unwrap_or(0)))
            .collect(),
        gaps: Gap::ALL
            .iter()
            .map(|g| {
                let mut names = mapped.gaps.get(g).cloned().unwrap_or_default();
                names.sort();
                names.dedup();
                report::Gap {
                    key: g.key(),
                    text: g.text(names.len()).to_owned(),
                    names,
                }
            })
            .collect(),
        requests: Some(requests),
    }
}
