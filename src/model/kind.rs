//! The sections of a description and what each kind of entity is.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Site,
    Feed,
    Rack,
    Pdu,
    Switch,
    Host,
    Cluster,
    Vm,
    Service,
    Component,
}

impl Kind {
    pub const ALL: [Kind; 10] = [
        Kind::Site,
        Kind::Feed,
        Kind::Rack,
        Kind::Pdu,
        Kind::Switch,
        Kind::Host,
        Kind::Cluster,
        Kind::Vm,
        Kind::Service,
        Kind::Component,
    ];

    /// The top-level section that defines entities of this kind.
    pub fn section(self) -> &'static str {
        match self {
            Kind::Site => "sites",
            Kind::Feed => "feeds",
            Kind::Rack => "racks",
            Kind::Pdu => "pdus",
            Kind::Switch => "switches",
            Kind::Host => "hosts",
            Kind::Cluster => "clusters",
            Kind::Vm => "vms",
            Kind::Service => "services",
            Kind::Component => "components",
        }
    }

    pub fn singular(self) -> &'static str {
        match self {
            Kind::Site => "site",
            Kind::Feed => "feed",
            Kind::Rack => "rack",
            Kind::Pdu => "pdu",
            Kind::Switch => "switch",
            Kind::Host => "host",
            Kind::Cluster => "cluster",
            Kind::Vm => "vm",
            Kind::Service => "service",
            Kind::Component => "component",
        }
    }

    pub fn from_section(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.section() == s)
    }

    pub fn from_singular(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.singular() == s)
    }

    /// Clusters group hosts; they never fail on their own.
    pub fn is_unit(self) -> bool {
        self != Kind::Cluster
    }
}
