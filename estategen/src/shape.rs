//! The dimensions a benchmark turns up to find what grows faster than
//! the input.

/// How an estate is laid out, beyond its size. The default is the
/// realistic mix of the crate docs; each field turns one dimension up to
/// find what grows faster than the input.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Shape {
    /// Hosts per hypervisor cluster: every pod is one virtualised pool of
    /// about this many hosts (racks of 6 to 16) instead of 1 to 4 racks.
    /// Each pool gets the same share of applications per host as the
    /// default shape, so pools of 32 and of 3,000 hosts give estates of
    /// the same make-up.
    pub cluster_hosts: Option<usize>,
    /// Instances of every quorum service (a majority must stay healthy),
    /// instead of 3 or 5.
    pub quorum: Option<usize>,
    /// Bare-metal pods carry this many services per host (each service on
    /// three hosts) instead of splitting their hosts between services.
    pub services_per_host: Option<usize>,
}
