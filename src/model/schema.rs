//! The description format as data: which sections exist, which fields each
//! kind of entity takes, their types and what a reference may name.
//!
//! The loader, the did-you-mean suggestions and the generated format
//! reference all read these tables, so the format is written down once.

use crate::model::kind::Kind;

/// What a field holds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FieldType {
    /// Free text.
    Str,
    /// A non-negative number (integer or decimal).
    Number,
    /// An integer of at least the given value.
    Int {
        min: i64,
    },
    Bool,
    /// One id of an entity of one of these kinds.
    Ref(&'static [Kind]),
    /// A list of ids of entities of these kinds.
    Refs(&'static [Kind]),
    /// Map of string to string.
    Labels,
    /// List of `{rule, reason, until?}`.
    Waivers,
    /// List of lists of vm ids.
    AntiAffinity,
    /// A probability in (0, 1].
    Fraction,
    /// A percentage in (0, 100].
    Percent,
    /// One of a fixed set of words.
    OneOf(&'static [&'static str]),
    /// A duration: whole seconds, or parts with units (`1h30m`).
    Duration,
    /// A recovery target: one duration, or a map from kind of failure
    /// (and `default`) to durations.
    Targets,
}

impl FieldType {
    /// "a list of ids", "a number"... for type errors and docs.
    pub fn describe(self) -> &'static str {
        match self {
            FieldType::Str => "a string",
            FieldType::Number => "a number",
            FieldType::Int { .. } => "an integer",
            FieldType::Bool => "true or false",
            FieldType::Ref(_) => "an id",
            FieldType::Refs(_) => "a list of ids",
            FieldType::Labels => "a map of label names to values",
            FieldType::Waivers => "a list of waivers ({rule, reason, until})",
            FieldType::AntiAffinity => "a list of lists of vm ids",
            FieldType::Fraction => "a number between 0 and 1",
            FieldType::Percent => "a percentage between 0 and 100",
            FieldType::OneOf(_) => "one of a fixed set of words",
            FieldType::Duration => "a duration (300, 90s, 5m, 1h30m, 2d)",
            FieldType::Targets => "a duration, or a map from kind of failure to durations",
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct FieldSpec {
    pub name: &'static str,
    pub ty: FieldType,
    pub required: bool,
    /// One line for the format reference and the JSON Schema.
    pub doc: &'static str,
}

const fn f(name: &'static str, ty: FieldType, doc: &'static str) -> FieldSpec {
    FieldSpec {
        name,
        ty,
        required: false,
        doc,
    }
}

const fn req(name: &'static str, ty: FieldType, doc: &'static str) -> FieldSpec {
    FieldSpec {
        name,
        ty,
        required: true,
        doc,
    }
}

use Kind::*;

/// Any entity that can fail: everything but a cluster.
pub const UNITS: &[Kind] = &[Site, Feed, Rack, Pdu, Switch, Host, Vm, Service, Component];
pub const POWER_SOURCES: &[Kind] = &[Pdu, Feed, Component];
pub const NETWORK_PEERS: &[Kind] = &[Switch, Component];
pub const INSTANCE_KINDS: &[Kind] = &[Vm, Host, Component];
pub const DEPENDENCY_KINDS: &[Kind] = &[Service, Component];

const LABELS: FieldSpec = f(
    "labels",
    FieldType::Labels,
    "free-form labels for selecting entities in rules",
);
const DESCRIPTION: FieldSpec = f("description", FieldType::Str, "what this is, for humans");
const REQUIRES: FieldSpec = f(
    "requires",
    FieldType::Refs(UNITS),
    "extra dependencies: down when any of them is down",
);
const WAIVERS: FieldSpec = f(
    "waivers",
    FieldType::Waivers,
    "accepted findings of a rule on this entity, with a reason",
);
const AVAILABILITY: FieldSpec = f(
    "availability",
    FieldType::Fraction,
    "steady-state availability of this unit, in (0, 1]",
);
const SITE: FieldSpec = f("site", FieldType::Ref(&[Site]), "the site it is in");
const RACK: FieldSpec = f("rack", FieldType::Ref(&[Rack]), "the rack it is in");
const POWER: FieldSpec = f(
    "power",
    FieldType::Refs(POWER_SOURCES),
    "power inputs (pdus, feeds, UPS components): up while any one is up",
);
const NETWORK: FieldSpec = f(
    "network",
    FieldType::Refs(NETWORK_PEERS),
    "network attachments (switches, components): up while any one is up",
);
const DRAW: FieldSpec = f(
    "draw_w",
    FieldType::Number,
    "power drawn in watts, shared evenly by the live power inputs",
);
const CAPACITY: FieldSpec = f("capacity_w", FieldType::Number, "power budget in watts");
const MEMORY: FieldSpec = f("memory_gb", FieldType::Number, "memory in GB");
const REPAIR: FieldSpec = f(
    "repair",
    FieldType::Duration,
    "time until it works again after it fails itself (default by section)",
);
const START: FieldSpec = f(
    "start",
    FieldType::Duration,
    "time it needs to come back once what it requires is back (booting)",
);

const SITE_FIELDS: &[FieldSpec] = &[LABELS, DESCRIPTION, REQUIRES, WAIVERS, AVAILABILITY];
const FEED_FIELDS: &[FieldSpec] = &[
    LABELS,
    DESCRIPTION,
    REQUIRES,
    WAIVERS,
    AVAILABILITY,
    REPAIR,
    START,
    SITE,
    CAPACITY,
];
const RACK_FIELDS: &[FieldSpec] = &[
    LABELS,
    DESCRIPTION,
    REQUIRES,
    WAIVERS,
    AVAILABILITY,
    REPAIR,
    START,
    SITE,
];
const PDU_FIELDS: &[FieldSpec] = &[
    LABELS,
    DESCRIPTION,
    REQUIRES,
    WAIVERS,
    AVAILABILITY,
    REPAIR,
    START,
    RACK,
    f("feed", FieldType::Ref(&[Feed]), "the feed that powers it"),
    CAPACITY,
];
const SWITCH_FIELDS: &[FieldSpec] = &[
    LABELS,
    DESCRIPTION,
    REQUIRES,
    WAIVERS,
    AVAILABILITY,
    REPAIR,
    START,
    RACK,
    POWER,
    f(
        "uplinks",
        FieldType::Refs(NETWORK_PEERS),
        "upstream switches or links: up while any one is up",
    ),
    DRAW,
];
const HOST_FIELDS: &[FieldSpec] = &[
    LABELS,
    DESCRIPTION,
    REQUIRES,
    WAIVERS,
    AVAILABILITY,
    REPAIR,
    START,
    RACK,
    POWER,
    NETWORK,
    f(
        "cluster",
        FieldType::Ref(&[Cluster]),
        "the hypervisor cluster it belongs to",
    ),
    DRAW,
    MEMORY,
    f("cpus", FieldType::Number, "CPU count"),
    f(
        "standby",
        FieldType::Bool,
        "powered off by power management: runs nothing until powered on",
    ),
];
const CLUSTER_FIELDS: &[FieldSpec] = &[
    LABELS,
    DESCRIPTION,
    REQUIRES,
    WAIVERS,
    f(
        "ha",
        FieldType::OneOf(&["none", "restart"]),
        "what the cluster does when a host dies",
    ),
    f(
        "anti_affinity",
        FieldType::AntiAffinity,
        "groups of vms the scheduler keeps on distinct hosts",
    ),
    f(
        "restart",
        FieldType::Duration,
        "time until HA runs a vm of a failed host again on another host (default 5m with ha: restart)",
    ),
    f(
        "hosts",
        FieldType::Refs(&[Kind::Host]),
        "its member hosts, for hosts defined elsewhere (another importer's files)",
    ),
];
const VM_FIELDS: &[FieldSpec] = &[
    LABELS,
    DESCRIPTION,
    REQUIRES,
    WAIVERS,
    AVAILABILITY,
    REPAIR,
    START,
    f("host", FieldType::Ref(&[Host]), "the host it is pinned to"),
    f(
        "cluster",
        FieldType::Ref(&[Cluster]),
        "the cluster it floats in (any host of it)",
    ),
    MEMORY,
    f(
        "ft_secondary",
        FieldType::Ref(&[Host]),
        "host of its fault-tolerance lockstep copy (pinned vms only)",
    ),
];
const SERVICE_FIELDS: &[FieldSpec] = &[
    LABELS,
    DESCRIPTION,
    REQUIRES,
    WAIVERS,
    // Accepted because a service is a failure unit too, but a service's
    // availability is always estimated from its units; this is not used.
    f(
        "availability",
        FieldType::Fraction,
        "not used: a service's availability is estimated from its units",
    ),
    req(
        "instances",
        FieldType::Refs(INSTANCE_KINDS),
        "the vms, hosts or components that serve it",
    ),
    f(
        "min_healthy",
        FieldType::Int { min: 1 },
        "how many instances must be up (default 1)",
    ),
    f(
        "depends_on",
        FieldType::Refs(DEPENDENCY_KINDS),
        "services or components it needs",
    ),
    f(
        "stateful",
        FieldType::Bool,
        "holds data whose copies must not share a failure domain",
    ),
    f(
        "backups",
        FieldType::Refs(UNITS),
        "entities holding copies of its data",
    ),
    f(
        "ha",
        FieldType::Str,
        "the HA mechanism its owners rely on (replication, live-migration, restart...)",
    ),
    f(
        "slo",
        FieldType::Percent,
        "promised availability, as a percentage (99.95)",
    ),
    f(
        "failover",
        FieldType::Duration,
        "outage while it switches over to the instances left (default 0)",
    ),
    f(
        "replica_lag",
        FieldType::Duration,
        "data a surviving instance may lack (default 0: synchronous replication)",
    ),
    f(
        "backup_interval",
        FieldType::Duration,
        "data a backup may lack (default 24h)",
    ),
    f(
        "rto",
        FieldType::Targets,
        "recovery time target: a duration, or one per kind of failure (site, host, ..., default)",
    ),
    f(
        "rpo",
        FieldType::Targets,
        "recovery point target (stateful services): a duration, or one per kind of failure",
    ),
];
const COMPONENT_FIELDS: &[FieldSpec] = &[
    LABELS,
    DESCRIPTION,
    REQUIRES,
    WAIVERS,
    AVAILABILITY,
    REPAIR,
    START,
    req(
        "kind",
        FieldType::Str,
        "what it is: storage-array, load-balancer, ups...",
    ),
    SITE,
    RACK,
    POWER,
    NETWORK,
    DRAW,
];

pub fn fields(kind: Kind) -> &'static [FieldSpec] {
    match kind {
        Site => SITE_FIELDS,
        Feed => FEED_FIELDS,
        Rack => RACK_FIELDS,
        Pdu => PDU_FIELDS,
        Switch => SWITCH_FIELDS,
        Host => HOST_FIELDS,
        Cluster => CLUSTER_FIELDS,
        Vm => VM_FIELDS,
        Service => SERVICE_FIELDS,
        Component => COMPONENT_FIELDS,
    }
}

/// The field names of `kind`, in table order (the keys the loader knows).
pub fn names(kind: Kind) -> &'static [&'static str] {
    static NAMES: std::sync::OnceLock<Vec<Vec<&'static str>>> = std::sync::OnceLock::new();
    let all = NAMES.get_or_init(|| {
        Kind::ALL
            .iter()
            .map(|&k| fields(k).iter().map(|f| f.name).collect())
            .collect()
    });
    let at = Kind::ALL.iter().position(|&k| k == kind).unwrap_or(0);
    &all[at]
}

pub fn field(kind: Kind, name: &str) -> Option<&'static FieldSpec> {
    fields(kind).iter().find(|f| f.name == name)
}

/// Top-level keys: `version` and one section per kind.
pub fn top_level_keys() -> impl Iterator<Item = &'static str> {
    std::iter::once("version").chain(Kind::ALL.iter().map(|k| k.section()))
}

/// "a pdu, feed or component"
pub fn kinds_phrase(kinds: &[Kind]) -> String {
    if kinds == UNITS {
        return "any entity but a cluster".into();
    }
    let names: Vec<&str> = kinds.iter().map(|k| k.singular()).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => format!("a {one}"),
        [init @ .., last] => format!("a {} or {last}", init.join(", ")),
    }
}
