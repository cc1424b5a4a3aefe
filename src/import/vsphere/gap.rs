//! What vCenter knows that the description cannot say, or that makes it
//! less than the truth: found while mapping, counted by the report.

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
    pub(super) const ALL: [Gap; 11] = [
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

    pub(super) fn key(self) -> &'static str {
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

    pub(super) fn text(self, n: usize) -> &'static str {
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
