//! The first pass over one entity: every field type-checked against the
//! schema table of its kind, references kept by name for the second pass.

use super::{Loader, PendingRefs, RawRef};
use crate::input::diag::{Errors, InputError, did_you_mean};
use crate::input::fields::{Doc, Keys};
use crate::input::source::{FileId, Span};
use crate::input::yaml::{YNode, YValue};
use crate::model::duration;
use crate::model::schema::{self, FieldSpec, FieldType};
use crate::model::{Entity, EntityId, Kind};
use std::collections::BTreeMap;

impl Loader {
    pub(super) fn load_entity(&mut self, file: FileId, kind: Kind, idk: &YNode, body: &YNode) {
        let span = self.doc(file).span(idk);
        if self.entities.len() >= self.max_entities {
            // Once, at the first entity past the limit.
            if !self.past_limit {
                self.past_limit = true;
                let limit = self.max_entities;
                self.errors.push(
                    InputError::at(
                        "too-many-entities",
                        span,
                        format!("more than {limit} entities, the limit for one run"),
                    )
                    .label("the first one past the limit")
                    .help("check the generator of this description; split the estate into independent runs"),
                );
            }
            return;
        }
        let id = match self.doc(file).text(idk) {
            Some(s) if !s.is_empty() => s,
            Some(_) => {
                self.errors
                    .push(InputError::at("bad-id", span, "an id must not be empty"));
                return;
            }
            None => {
                self.errors
                    .push(InputError::at("bad-id", span, "an id must be a string"));
                return;
            }
        };
        let eid = self.entities.len() as EntityId;
        if let Some(&first) = self.by_id.get(&id) {
            let fe = &self.entities[first as usize];
            let (fk, fspan) = (fe.kind(), fe.span);
            let again = if fk == kind {
                format!("{} `{id}` is defined twice", kind.singular())
            } else {
                format!(
                    "id `{id}` is defined twice (as a {} and as a {})",
                    fk.singular(),
                    kind.singular()
                )
            };
            self.errors.push(
                InputError::at("duplicate-id", span, again)
                    .label("defined again here")
                    .also(fspan, "first defined here")
                    .help("ids are global across sections and files; rename one of them"),
            );
            return;
        }
        self.by_id.insert(id.clone(), eid);
        let mut e = Entity {
            id,
            kind: Some(kind),
            span,
            min_healthy: 1,
            ..Entity::default()
        };
        let mut pending = PendingRefs::default();
        let mut r = FieldReader {
            doc: Doc::new(&self.sources, file),
            errors: &mut self.errors,
        };
        r.entity(kind, &mut e, &mut pending, body);
        self.entities.push(e);
        self.pending.push(pending);
    }
}

/// Reads one entity's fields: the file's nodes, and where errors go.
struct FieldReader<'a> {
    doc: Doc<'a>,
    errors: &'a mut Errors,
}

impl FieldReader<'_> {
    /// Every field of one entity's `body` into `e`, references by name
    /// into `pending`; the required ones that are missing are errors at the
    /// entity's id.
    fn entity(&mut self, kind: Kind, e: &mut Entity, pending: &mut PendingRefs, body: &YNode) {
        let table = schema::fields(kind);
        let entries = match &body.value {
            YValue::Null => &[][..],
            YValue::Map(entries) => entries.as_slice(),
            other => {
                let bspan = self.doc.span(body);
                self.errors.push(
                    InputError::at(
                        "wrong-type",
                        bspan,
                        format!(
                            "{} `{}` must be a map of fields, found {}",
                            kind.singular(),
                            e.id,
                            other.type_name()
                        ),
                    )
                    .help(format!(
                        "write `{}: {{}}` for a {} with no fields",
                        e.id,
                        kind.singular()
                    )),
                );
                // Already wrong: no complaint about missing fields too.
                return;
            }
        };
        let otherwise = |name: &str| unknown_help(kind, name);
        let keys = Keys {
            known: schema::names(kind),
            noun: "field",
            owner: owner(kind),
            label: Some("unknown field"),
            otherwise: &otherwise,
        };
        let fields = self.doc.fields(entries, &keys, &mut *self.errors);
        e.field_spans = fields
            .iter()
            .map(|f| (f.index as u8, self.doc.span(f.value)))
            .collect();
        for f in &fields {
            self.field(e, pending, &table[f.index], f.value);
        }
        for (i, spec) in table.iter().enumerate().filter(|(_, s)| s.required) {
            if !fields.iter().any(|f| f.index == i) {
                self.missing_field(kind, &e.id, spec, e.span);
            }
        }
    }

    fn missing_field(&mut self, kind: Kind, id: &str, spec: &FieldSpec, span: Span) {
        let example = match spec.name {
            "instances" => "instances: [vm-a, vm-b]",
            "kind" => "kind: storage-array",
            _ => spec.name,
        };
        self.errors.push(
            InputError::at(
                "missing-field",
                span,
                format!("{} `{id}` has no `{}`", kind.singular(), spec.name),
            )
            .label(format!("needs `{}`", spec.name))
            .help(format!("add `{example}` ({})", spec.doc)),
        );
    }

    fn type_error(&mut self, n: &YNode, field: &str, want: &str) {
        self.errors.push(self.doc.wrong_type(n, field, want));
    }

    fn field(
        &mut self,
        e: &mut Entity,
        pending: &mut PendingRefs,
        spec: &'static FieldSpec,
        n: &YNode,
    ) {
        let name = spec.name;
        let span = self.doc.span(n);
        match spec.ty {
            FieldType::Str => match self.doc.text(n) {
                Some(s) => match name {
                    "description" => e.description = Some(s),
                    "ha" => e.ha = Some(s),
                    "kind" => e.component_kind = Some(s),
                    _ => unreachable!("string field {name} has no slot"),
                },
                None => self.type_error(n, name, "a string"),
            },
            FieldType::OneOf(words) => match self.doc.text(n) {
                Some(s) if words.contains(&s.as_str()) => e.ha = Some(s),
                Some(s) => {
                    let mut err = InputError::at(
                        "bad-value",
                        span,
                        format!("`{name}` must be one of {}, found `{s}`", words.join(", ")),
                    );
                    if let Some(m) = did_you_mean(&s, words.iter().copied()) {
                        err = err.help(format!("did you mean `{m}`?"));
                    }
                    self.errors.push(err);
                }
                None => self.type_error(n, name, "a string"),
            },
            FieldType::Number => {
                if let Some(v) = self.doc.number(n, name, &mut *self.errors) {
                    if v < 0.0 {
                        self.errors.push(InputError::at(
                            "bad-value",
                            span,
                            format!("`{name}` must not be negative"),
                        ));
                        return;
                    }
                    let slot = match name {
                        "capacity_w" => &mut e.capacity_w,
                        "draw_w" => &mut e.draw_w,
                        "memory_gb" => &mut e.memory_gb,
                        "cpus" => &mut e.cpus,
                        _ => unreachable!("number field {name} has no slot"),
                    };
                    *slot = Some(v);
                }
            }
            FieldType::Fraction => {
                if let Some(v) = self.doc.number(n, name, &mut *self.errors) {
                    if v > 0.0 && v <= 1.0 {
                        e.availability = Some(v);
                    } else {
                        self.errors.push(
                            InputError::at(
                                "bad-value",
                                span,
                                format!("`{name}` must be in (0, 1], found {v}"),
                            )
                            .help("write availability as a fraction: 99.9% is 0.999"),
                        );
                    }
                }
            }
            FieldType::Percent => {
                if let Some(v) = self.doc.number(n, name, &mut *self.errors) {
                    if v > 1.0 && v <= 100.0 {
                        e.slo = Some(v);
                    } else if v > 0.0 && v <= 1.0 {
                        // Almost always a fraction meant as a percentage:
                        // read as one, `slo-unmet` would never fire.
                        let pct = format!("{:.6}", v * 100.0);
                        let pct = pct.trim_end_matches('0').trim_end_matches('.');
                        self.errors.push(
                            InputError::at(
                                "bad-value",
                                span,
                                format!("`{name}` is a percentage: {v} would mean {v} % available"),
                            )
                            .label("a percentage of 1 or less")
                            .help(format!("`{v}` was probably meant as `{name}: {pct}`")),
                        );
                    } else {
                        self.errors.push(
                            InputError::at(
                                "bad-value",
                                span,
                                format!("`{name}` must be a percentage in (1, 100], found {v}"),
                            )
                            .help("write the SLO as a percentage, e.g. `slo: 99.95`"),
                        );
                    }
                }
            }
            FieldType::Int { min } => match n.value {
                YValue::Int(i) if i >= min => e.min_healthy = u32::try_from(i).unwrap_or(u32::MAX),
                YValue::Int(i) => self.errors.push(
                    InputError::at(
                        "bad-value",
                        span,
                        format!("`{name}` must be at least {min}, found {i}"),
                    )
                    .label(format!("must be >= {min}"))
                    .help("a service needs at least one healthy instance to be up"),
                ),
                _ => self.type_error(n, name, "an integer"),
            },
            FieldType::Bool => match n.value {
                YValue::Bool(b) => match name {
                    "standby" => e.standby = b,
                    "stateful" => e.stateful = b,
                    _ => unreachable!("bool field {name} has no slot"),
                },
                _ => self.type_error(n, name, "true or false"),
            },
            FieldType::Ref(_) => match self.doc.text(n) {
                Some(s) => pending.single.push((spec, RawRef { name: s, span })),
                None => self.type_error(n, name, "an id"),
            },
            FieldType::Refs(_) => {
                if let Some(list) = self.id_list(n, name) {
                    pending.lists.push((spec, list));
                }
            }
            FieldType::Duration => {
                if let Some(d) = duration::read(self.doc, n, name, &mut *self.errors) {
                    let r = e.recovery.get_or_insert_with(Default::default);
                    let slot = match name {
                        "repair" => &mut r.repair,
                        "start" => &mut r.start,
                        "restart" => &mut r.restart,
                        "failover" => &mut r.failover,
                        "replica_lag" => &mut r.replica_lag,
                        "backup_interval" => &mut r.backup_interval,
                        _ => unreachable!("duration field {name} has no slot"),
                    };
                    *slot = Some(d);
                }
            }
            FieldType::Targets => {
                if let Some(t) = duration::read_targets(self.doc, n, name, &mut *self.errors) {
                    let r = e.recovery.get_or_insert_with(Default::default);
                    match name {
                        "rto" => r.rto = Some(t),
                        "rpo" => r.rpo = Some(t),
                        _ => unreachable!("target field {name} has no slot"),
                    }
                }
            }
            FieldType::Labels => self.labels(e, n),
            FieldType::Waivers => self.waivers(e, n),
            FieldType::AntiAffinity => match &n.value {
                YValue::Seq(groups) => {
                    for g in groups {
                        if let Some(list) = self.id_list(g, "anti_affinity") {
                            pending.anti_affinity.push(list);
                        }
                    }
                }
                _ => self.type_error(n, name, "a list of lists of vm ids"),
            },
        }
    }

    fn id_list(&mut self, n: &YNode, field: &str) -> Option<Vec<RawRef>> {
        match &n.value {
            YValue::Null => Some(Vec::new()),
            YValue::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                for it in items {
                    match self.doc.text(it) {
                        Some(s) => out.push(RawRef {
                            name: s,
                            span: self.doc.span(it),
                        }),
                        None => self.type_error(it, field, "an id"),
                    }
                }
                Some(out)
            }
            _ => {
                let mut err = InputError::at(
                    "wrong-type",
                    self.doc.span(n),
                    format!(
                        "`{field}` must be a list of ids, found {}",
                        n.value.type_name()
                    ),
                )
                .label("expected a list");
                if let Some(s) = self.doc.text(n) {
                    err = err.help(format!("write `{field}: [{s}]`"));
                }
                self.errors.push(err);
                None
            }
        }
    }

    fn labels(&mut self, e: &mut Entity, n: &YNode) {
        let YValue::Map(m) = &n.value else {
            if !matches!(n.value, YValue::Null) {
                self.type_error(n, "labels", "a map of label names to values");
            }
            return;
        };
        let mut out = BTreeMap::new();
        for (k, v) in m {
            match (self.doc.text(k), self.doc.text(v)) {
                (Some(k), Some(v)) => {
                    out.insert(k, v);
                }
                (None, _) => self.type_error(k, "labels", "a label name"),
                (_, None) => self.type_error(v, "labels", "a label value (a string)"),
            }
        }
        e.labels = out.into();
    }

    fn waivers(&mut self, e: &mut Entity, n: &YNode) {
        let items = match &n.value {
            YValue::Null => return,
            YValue::Seq(items) => items,
            _ => {
                self.type_error(n, "waivers", "a list of waivers");
                return;
            }
        };
        for it in items {
            if let Some(w) = crate::model::waiver::parse(self.doc, it, &mut *self.errors) {
                e.waivers.push(w);
            }
        }
    }
}

/// The help for a field `name` that `kind` does not take and that no field
/// of it is close to: where that field does belong, and what `kind` takes.
fn unknown_help(kind: Kind, name: &str) -> String {
    let elsewhere: Vec<&str> = Kind::ALL
        .iter()
        .filter(|k| schema::field(**k, name).is_some())
        .map(|k| k.section())
        .collect();
    let known = schema::names(kind).join(", ");
    if elsewhere.is_empty() {
        format!("{} take: {known}", kind.section())
    } else {
        format!(
            "`{name}` is a field of {}; {} take: {known}",
            elsewhere.join(", "),
            kind.section()
        )
    }
}

/// " for a host": after an unknown key, which kind it was written on
/// (static, as this runs for every entity).
fn owner(kind: Kind) -> &'static str {
    match kind {
        Kind::Site => " for a site",
        Kind::Feed => " for a feed",
        Kind::Rack => " for a rack",
        Kind::Pdu => " for a pdu",
        Kind::Switch => " for a switch",
        Kind::Host => " for a host",
        Kind::Cluster => " for a cluster",
        Kind::Vm => " for a vm",
        Kind::Service => " for a service",
        Kind::Component => " for a component",
    }
}
