//! The validated estate: every entity with its references resolved to
//! compact indices. Nothing here can be dangling or of the wrong kind; the
//! loader (`load`) guarantees it, so the graph and the rules never re-check.

pub mod date;
pub mod duration;
pub mod kind;
pub mod load;
pub mod schema;
pub mod waiver;

use crate::input::source::{Sources, Span};
pub use date::Date;
pub use kind::Kind;
use std::collections::BTreeMap;

/// Index of an entity in [`Model::entities`].
pub type EntityId = u32;

#[derive(Clone, Debug)]
pub struct Waiver {
    pub rule: String,
    pub reason: String,
    pub until: Option<Date>,
    /// `culprits`: only these culprits are accepted (ids as written);
    /// `None` accepts the whole finding.
    pub culprits: Option<Vec<String>>,
    /// Where each of `culprits` is written, in the same order: an id that
    /// names nothing is reported there.
    pub culprit_spans: Vec<Span>,
    /// The waiver's map in the YAML.
    pub span: Span,
    pub rule_span: Span,
}

/// An entity's labels, sorted by name. A boxed slice rather than a
/// `BTreeMap`: a map's first node costs about 500 bytes, which was 130 MB
/// on a 1M-entity estate where a quarter of the entities carry a label.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Labels(Box<[(String, String)]>);

impl Labels {
    pub fn get(&self, name: &str) -> Option<&String> {
        self.0
            .binary_search_by(|(k, _)| k.as_str().cmp(name))
            .ok()
            .map(|i| &self.0[i].1)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<BTreeMap<String, String>> for Labels {
    fn from(m: BTreeMap<String, String>) -> Self {
        Labels(m.into_iter().collect())
    }
}

/// One entity. Fields that a kind does not take stay empty; the schema
/// (`schema.rs`) decides which are accepted where.
#[derive(Clone, Debug, Default)]
pub struct Entity {
    pub id: String,
    pub kind: Option<Kind>,
    /// The id key in the YAML: where findings about this entity point.
    pub span: Span,
    /// Spans of the fields' values, by field name (for precise labels).
    /// As (index in the kind's field table, span): 12 bytes each.
    pub field_spans: Box<[(u8, Span)]>,
    pub labels: Labels,
    pub description: Option<String>,
    pub requires: Vec<EntityId>,
    pub waivers: Vec<Waiver>,
    pub availability: Option<f64>,

    pub site: Option<EntityId>,
    pub rack: Option<EntityId>,
    pub feed: Option<EntityId>,
    pub host: Option<EntityId>,
    pub cluster: Option<EntityId>,
    pub ft_secondary: Option<EntityId>,
    pub power: Vec<EntityId>,
    pub network: Vec<EntityId>,
    pub uplinks: Vec<EntityId>,
    pub capacity_w: Option<f64>,
    pub draw_w: Option<f64>,
    pub memory_gb: Option<f64>,
    pub cpus: Option<f64>,
    pub standby: bool,

    /// Cluster `ha` (`none`/`restart`) or service `ha` (free text).
    pub ha: Option<String>,
    pub anti_affinity: Vec<Vec<EntityId>>,

    pub instances: Vec<EntityId>,
    pub min_healthy: u32,
    pub depends_on: Vec<EntityId>,
    pub stateful: bool,
    pub backups: Vec<EntityId>,
    pub slo: Option<f64>,

    /// Component `kind` (storage-array, load-balancer...).
    pub component_kind: Option<String>,

    /// Recovery fields, boxed: most entities set none, and a million
    /// entities should not each pay for eight empty slots.
    pub recovery: Option<Box<Recovery>>,
}

/// The recovery fields of one entity, in seconds; `None` where the
/// description leaves the default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recovery {
    pub repair: Option<u64>,
    pub start: Option<u64>,
    /// Clusters: how long HA takes to run a vm again on another host.
    pub restart: Option<u64>,
    pub failover: Option<u64>,
    pub replica_lag: Option<u64>,
    pub backup_interval: Option<u64>,
    pub rto: Option<duration::Targets>,
    pub rpo: Option<duration::Targets>,
}

impl Entity {
    pub fn kind(&self) -> Kind {
        self.kind.expect("every loaded entity has a kind")
    }

    /// The recovery field `name` (`repair`, `start`, ...), if set.
    pub fn duration(&self, name: &str) -> Option<u64> {
        let r = self.recovery.as_deref()?;
        match name {
            "repair" => r.repair,
            "start" => r.start,
            "restart" => r.restart,
            "failover" => r.failover,
            "replica_lag" => r.replica_lag,
            "backup_interval" => r.backup_interval,
            _ => None,
        }
    }

    pub fn field_span(&self, name: &str) -> Option<Span> {
        let table = crate::model::schema::fields(self.kind());
        self.field_spans
            .iter()
            .find(|(i, _)| table.get(*i as usize).is_some_and(|f| f.name == name))
            .map(|(_, s)| *s)
    }
}

/// The whole description, merged from every file.
pub struct Model {
    /// Every file of the run: descriptions, and the config and rule files
    /// that findings may point into.
    pub sources: Sources,
    /// The files that are descriptions.
    pub description_files: Vec<crate::input::source::FileId>,
    pub entities: Vec<Entity>,
    /// Fx hashing: ids are the estate's own names, not hostile input, and
    /// SipHash showed in profiles of 1M-entity runs.
    pub by_id: rustc_hash::FxHashMap<String, EntityId>,
    /// Hosts of each cluster (indexed by entity id; empty for non-clusters).
    pub cluster_hosts: Vec<Vec<EntityId>>,
}

impl Model {
    pub fn get(&self, id: EntityId) -> &Entity {
        &self.entities[id as usize]
    }

    pub fn lookup(&self, name: &str) -> Option<EntityId> {
        self.by_id.get(name).copied()
    }

    pub fn name(&self, id: EntityId) -> &str {
        &self.entities[id as usize].id
    }

    pub fn len(&self) -> usize {
        self.entities.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entities.is_empty()
    }

    pub fn ids(&self) -> impl Iterator<Item = EntityId> + '_ {
        0..self.entities.len() as EntityId
    }

    pub fn of_kind(&self, kind: Kind) -> impl Iterator<Item = EntityId> + '_ {
        self.ids().filter(move |&i| self.get(i).kind() == kind)
    }

    /// Entity ids sorted by their string id: the order of every output.
    pub fn sort_by_name(&self, ids: &mut [EntityId]) {
        ids.sort_unstable_by(|a, b| self.name(*a).cmp(self.name(*b)));
    }

    pub fn names_sorted(&self, ids: &[EntityId]) -> Vec<String> {
        let mut v: Vec<String> = ids.iter().map(|&i| self.name(i).to_owned()).collect();
        v.sort_unstable();
        v
    }

    /// Pinned vms without a lockstep copy depend on their host alone.
    pub fn is_floating_vm(&self, id: EntityId) -> bool {
        let e = self.get(id);
        e.kind() == Kind::Vm && e.cluster.is_some() && e.host.is_none()
    }
}
