//! What NetBox does not say: each gap a dependency the analysis cannot
//! see, found while mapping and counted by the quality report.

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Gap {
    PowerPortNotCabled,
    PduWithoutFeed,
    DeviceWithoutRack,
    HostWithoutNetwork,
    ClusterWithoutHosts,
    /// Cabled to an outlet of a device imported as a host or switch, or to
    /// something NetBox cannot trace.
    PowerNotFollowed,
    PduSeveralFeeds,
    VmLeftOut,
}

impl Gap {
    /// The gaps always listed, even when there are none.
    pub(super) const ALWAYS: [Gap; 5] = [
        Gap::PowerPortNotCabled,
        Gap::PduWithoutFeed,
        Gap::DeviceWithoutRack,
        Gap::HostWithoutNetwork,
        Gap::ClusterWithoutHosts,
    ];

    pub(super) fn key(self) -> &'static str {
        match self {
            Gap::PowerPortNotCabled => "power_ports_not_cabled",
            Gap::PduWithoutFeed => "pdus_without_feed",
            Gap::DeviceWithoutRack => "devices_without_rack",
            Gap::HostWithoutNetwork => "hosts_without_network",
            Gap::ClusterWithoutHosts => "clusters_without_hosts",
            Gap::PowerNotFollowed => "power_cables_not_followed",
            Gap::PduSeveralFeeds => "pdus_with_several_feeds",
            Gap::VmLeftOut => "vms_left_out",
        }
    }

    pub(super) fn text(self, n: usize) -> &'static str {
        let one = n == 1;
        match self {
            Gap::PowerPortNotCabled if one => "power port not cabled",
            Gap::PowerPortNotCabled => "power ports not cabled",
            Gap::PduWithoutFeed if one => "PDU without a feed",
            Gap::PduWithoutFeed => "PDUs without a feed",
            Gap::DeviceWithoutRack if one => "device without a rack",
            Gap::DeviceWithoutRack => "devices without a rack",
            Gap::HostWithoutNetwork if one => "host without network",
            Gap::HostWithoutNetwork => "hosts without network",
            Gap::ClusterWithoutHosts if one => "cluster without hosts",
            Gap::ClusterWithoutHosts => "clusters without hosts",
            Gap::PowerNotFollowed if one => {
                "power cable to something not imported as a pdu, feed or component"
            }
            Gap::PowerNotFollowed => {
                "power cables to something not imported as a pdu, feed or component"
            }
            Gap::PduSeveralFeeds if one => "PDU with several feeds (the first is used)",
            Gap::PduSeveralFeeds => "PDUs with several feeds (the first is used)",
            Gap::VmLeftOut if one => "VM with neither a cluster nor a host (left out)",
            Gap::VmLeftOut => "VMs with neither a cluster nor a host (left out)",
        }
    }
}
