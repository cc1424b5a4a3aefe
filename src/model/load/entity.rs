//! The first pass over one entity: every field type-checked against the
//! schema table of its kind, references kept by name for the second pass.

use super::{Loader, PendingRefs, RawRef};
use crate::input::diag::{InputError, did_you_mean};
use crate::input::source::{FileId, Span};
use crate::input::yaml::{YNode, YValue};
use crate::model::schema::{self, FieldSpec, FieldType};
use crate::model::{Entity, EntityId, Kind};
use std::collections::BTreeMap;

impl Loader {
    pub(super) fn load_entity(&mut self, file: FileId, kind: Kind, idk: &YNode, body: &YNode) {
        let span = self.span(file, idk);
        if self.entities.len() >= self.max_entities {
            // Once, at the first entity past the limit.
            if !self.past_limit {
                self.past_limit = true;
                let limit = self.max_entities;
                self.error(
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
        let id = match self.scalar_text(file, idk) {
            Some(s) if !s.is_empty() => s,
            Some(_) => {
                self.error(InputError::at("bad-id", span, "an id must not be empty"));
                return;
            }
            None => {
                self.error(InputError::at("bad-id", span, "an id must be a string"));
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
            self.error(
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
        match &body.value {
            YValue::Null => {}
            YValue::Map(fields) => {
                let table = schema::fields(kind);
                // Field (as its index in the kind's table) and key span,
                // in a small vector: entities have a handful of fields.
                let mut seen: Vec<(u8, Span)> = Vec::with_capacity(fields.len());
                let mut spans: Vec<(u8, Span)> = Vec::with_capacity(fields.len());
                for (fk, fv) in fields {
                    let fspan = self.span(file, fk);
                    let Some(fname) = self.scalar_text(file, fk) else {
                        self.error(InputError::at(
                            "wrong-type",
                            fspan,
                            "a field name must be a string",
                        ));
                        continue;
                    };
                    let Some(at) = table.iter().position(|f| f.name == fname) else {
                        self.unknown_field(kind, &fname, fspan);
                        continue;
                    };
                    let (spec, at) = (&table[at], at as u8);
                    if let Some(&(_, first)) = seen.iter().find(|(i, _)| *i == at) {
                        self.error(
                            InputError::at(
                                "duplicate-key",
                                fspan,
                                format!("field `{fname}` appears twice"),
                            )
                            .label("again here")
                            .also(first, "first here"),
                        );
                        continue;
                    }
                    seen.push((at, fspan));
                    spans.push((at, self.span(file, fv)));
                    self.load_field(file, &mut e, &mut pending, spec, fv);
                }
                e.field_spans = spans.into_boxed_slice();
                for (i, spec) in table.iter().enumerate().filter(|(_, s)| s.required) {
                    if !seen.iter().any(|(at, _)| *at as usize == i) {
                        self.missing_field(kind, &e.id, spec, span);
                    }
                }
            }
            other => {
                let bspan = self.span(file, body);
                self.error(
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
                if schema::fields(kind).iter().any(|s| s.required) {
                    // Already wrong; do not also complain about missing fields.
                }
            }
        }
        if matches!(body.value, YValue::Null) {
            for spec in schema::fields(kind).iter().filter(|s| s.required) {
                self.missing_field(kind, &e.id, spec, span);
            }
        }
        self.entities.push(e);
        self.pending.push(pending);
    }

    fn missing_field(&mut self, kind: Kind, id: &str, spec: &FieldSpec, span: Span) {
        let example = match spec.name {
            "instances" => "instances: [vm-a, vm-b]",
            "kind" => "kind: storage-array",
            _ => spec.name,
        };
        self.error(
            InputError::at(
                "missing-field",
                span,
                format!("{} `{id}` has no `{}`", kind.singular(), spec.name),
            )
            .label(format!("needs `{}`", spec.name))
            .help(format!("add `{example}` ({})", spec.doc)),
        );
    }

    fn unknown_field(&mut self, kind: Kind, name: &str, span: Span) {
        let names = schema::fields(kind).iter().map(|f| f.name);
        let mut e = InputError::at(
            "unknown-key",
            span,
            format!("unknown field `{name}` for a {}", kind.singular()),
        );
        if let Some(s) = did_you_mean(name, names.clone()) {
            e = e
                .label("unknown field")
                .help(format!("did you mean `{s}`?"));
        } else {
            let elsewhere: Vec<&str> = Kind::ALL
                .iter()
                .filter(|k| schema::field(**k, name).is_some())
                .map(|k| k.section())
                .collect();
            let known = names.collect::<Vec<_>>().join(", ");
            e = if elsewhere.is_empty() {
                e.help(format!("{} take: {known}", kind.section()))
            } else {
                e.help(format!(
                    "`{name}` is a field of {}; {} take: {known}",
                    elsewhere.join(", "),
                    kind.section()
                ))
            };
        }
        self.error(e);
    }

    fn type_error(&mut self, file: FileId, n: &YNode, field: &str, want: &str) {
        let span = self.span(file, n);
        self.error(
            InputError::at(
                "wrong-type",
                span,
                format!("`{field}` must be {want}, found {}", n.value.type_name()),
            )
            .label(format!("expected {want}")),
        );
    }

    fn number(&mut self, file: FileId, n: &YNode, field: &str) -> Option<f64> {
        let v = match n.value {
            YValue::Int(i) => i as f64,
            YValue::Float(x) => x,
            _ => {
                self.type_error(file, n, field, "a number");
                return None;
            }
        };
        if !v.is_finite() {
            self.type_error(file, n, field, "a finite number");
            return None;
        }
        Some(v)
    }

    fn load_field(
        &mut self,
        file: FileId,
        e: &mut Entity,
        pending: &mut PendingRefs,
        spec: &'static FieldSpec,
        n: &YNode,
    ) {
        let name = spec.name;
        let span = self.span(file, n);
        match spec.ty {
            FieldType::Str => match self.scalar_text(file, n) {
                Some(s) => match name {
                    "description" => e.description = Some(s),
                    "ha" => e.ha = Some(s),
                    "kind" => e.component_kind = Some(s),
                    _ => unreachable!("string field {name} has no slot"),
                },
                None => self.type_error(file, n, name, "a string"),
            },
            FieldType::OneOf(words) => match self.scalar_text(file, n) {
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
                    self.error(err);
                }
                None => self.type_error(file, n, name, "a string"),
            },
            FieldType::Number => {
                if let Some(v) = self.number(file, n, name) {
                    if v < 0.0 {
                        self.error(InputError::at(
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
                if let Some(v) = self.number(file, n, name) {
                    if v > 0.0 && v <= 1.0 {
                        e.availability = Some(v);
                    } else {
                        self.error(
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
                if let Some(v) = self.number(file, n, name) {
                    if v > 0.0 && v <= 100.0 {
                        e.slo = Some(v);
                    } else {
                        self.error(
                            InputError::at(
                                "bad-value",
                                span,
                                format!("`{name}` must be a percentage in (0, 100], found {v}"),
                            )
                            .help("write the SLO as a percentage, e.g. `slo: 99.95`"),
                        );
                    }
                }
            }
            FieldType::Int { min } => match n.value {
                YValue::Int(i) if i >= min => e.min_healthy = u32::try_from(i).unwrap_or(u32::MAX),
                YValue::Int(i) => self.error(
                    InputError::at(
                        "bad-value",
                        span,
                        format!("`{name}` must be at least {min}, found {i}"),
                    )
                    .label(format!("must be >= {min}"))
                    .help("a service needs at least one healthy instance to be up"),
                ),
                _ => self.type_error(file, n, name, "an integer"),
            },
            FieldType::Bool => match n.value {
                YValue::Bool(b) => match name {
                    "standby" => e.standby = b,
                    "stateful" => e.stateful = b,
                    _ => unreachable!("bool field {name} has no slot"),
                },
                _ => self.type_error(file, n, name, "true or false"),
            },
            FieldType::Ref(_) => match self.scalar_text(file, n) {
                Some(s) => pending.single.push((spec, RawRef { name: s, span })),
                None => self.type_error(file, n, name, "an id"),
            },
            FieldType::Refs(_) => {
                if let Some(list) = self.id_list(file, n, name) {
                    pending.lists.push((spec, list));
                }
            }
            FieldType::Labels => self.labels(file, e, n),
            FieldType::Waivers => self.waivers(file, e, n),
            FieldType::AntiAffinity => match &n.value {
                YValue::Seq(groups) => {
                    for g in groups {
                        if let Some(list) = self.id_list(file, g, "anti_affinity") {
                            pending.anti_affinity.push(list);
                        }
                    }
                }
                _ => self.type_error(file, n, name, "a list of lists of vm ids"),
            },
        }
    }

    fn id_list(&mut self, file: FileId, n: &YNode, field: &str) -> Option<Vec<RawRef>> {
        match &n.value {
            YValue::Null => Some(Vec::new()),
            YValue::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                for it in items {
                    match self.scalar_text(file, it) {
                        Some(s) => out.push(RawRef {
                            name: s,
                            span: self.span(file, it),
                        }),
                        None => self.type_error(file, it, field, "an id"),
                    }
                }
                Some(out)
            }
            _ => {
                let mut err = InputError::at(
                    "wrong-type",
                    self.span(file, n),
                    format!(
                        "`{field}` must be a list of ids, found {}",
                        n.value.type_name()
                    ),
                )
                .label("expected a list");
                if let Some(s) = self.scalar_text(file, n) {
                    err = err.help(format!("write `{field}: [{s}]`"));
                }
                self.error(err);
                None
            }
        }
    }

    fn labels(&mut self, file: FileId, e: &mut Entity, n: &YNode) {
        let YValue::Map(m) = &n.value else {
            if !matches!(n.value, YValue::Null) {
                self.type_error(file, n, "labels", "a map of label names to values");
            }
            return;
        };
        let mut out = BTreeMap::new();
        for (k, v) in m {
            match (self.scalar_text(file, k), self.scalar_text(file, v)) {
                (Some(k), Some(v)) => {
                    out.insert(k, v);
                }
                (None, _) => self.type_error(file, k, "labels", "a label name"),
                (_, None) => self.type_error(file, v, "labels", "a label value (a string)"),
            }
        }
        e.labels = out.into();
    }

    fn waivers(&mut self, file: FileId, e: &mut Entity, n: &YNode) {
        let items = match &n.value {
            YValue::Null => return,
            YValue::Seq(items) => items,
            _ => {
                self.type_error(file, n, "waivers", "a list of waivers");
                return;
            }
        };
        for it in items {
            let mut errors = Vec::new();
            if let Some(w) = crate::model::waiver::parse(&self.sources, file, it, &mut errors) {
                e.waivers.push(w);
            }
            for err in errors {
                self.error(err);
            }
        }
    }
}
