//! Spanned YAML trees to a validated [`Model`].
//!
//! Two passes: the first walks every file, type-checks every field against
//! the schema tables and records references by name; the second resolves
//! names once all files are known (ids are global across files), checks
//! kinds and the cross-field rules (a vm has exactly one of `host` and
//! `cluster`, ...). Errors are collected rather than returned at the first,
//! so one run shows everything that needs fixing.

use crate::input::diag::{InputError, MAX_ERRORS, did_you_mean};
use crate::input::source::{FileId, Sources, Span};
use crate::input::stream::Streamed;
use crate::input::yaml::{YNode, YValue};
use crate::model::schema::{self, FieldSpec, FieldType, kinds_phrase};
use crate::model::{Entity, EntityId, Kind, Model};
use std::collections::{BTreeMap, HashMap, HashSet};

/// A description that could not be loaded: the errors and the sources they
/// point into.
pub struct LoadFailure {
    pub sources: Sources,
    pub errors: Vec<InputError>,
}

/// A reference by name, resolved in the second pass.
struct RawRef {
    name: String,
    span: Span,
}

#[derive(Default)]
struct PendingRefs {
    single: Vec<(&'static FieldSpec, RawRef)>,
    lists: Vec<(&'static FieldSpec, Vec<RawRef>)>,
    anti_affinity: Vec<Vec<RawRef>>,
}

struct Loader {
    sources: Sources,
    description_files: Vec<FileId>,
    errors: Vec<InputError>,
    suppressed: usize,
    entities: Vec<Entity>,
    pending: Vec<PendingRefs>,
    by_id: rustc_hash::FxHashMap<String, EntityId>,
    /// Entities accepted before `too-many-entities` ([`MAX_ENTITIES`]).
    max_entities: usize,
    past_limit: bool,
}

/// Most entities one run loads: 5,000,000, five times the largest estates
/// the tests analyse. The first entity past it is an input error; the rest
/// are not loaded and references are not resolved (every reference to an
/// entity left out would be one more error).
pub const MAX_ENTITIES: usize = 5_000_000;

/// Loads named texts (already read from disk) into one model.
pub fn load(files: Vec<(String, Vec<u8>)>) -> Result<Model, LoadFailure> {
    load_into(Sources::new(), files)
}

/// Like [`load`], into sources that already hold the run's config and rule
/// files (so waivers from the config can point into it).
pub fn load_into(sources: Sources, files: Vec<(String, Vec<u8>)>) -> Result<Model, LoadFailure> {
    load_limited(sources, files, MAX_ENTITIES)
}

/// Like [`load_into`], with at most `max_entities` entities (the config
/// may lower [`MAX_ENTITIES`]).
pub fn load_limited(
    sources: Sources,
    files: Vec<(String, Vec<u8>)>,
    max_entities: usize,
) -> Result<Model, LoadFailure> {
    let mut l = Loader {
        description_files: Vec::new(),
        sources,
        errors: Vec::new(),
        suppressed: 0,
        entities: Vec::new(),
        pending: Vec::new(),
        by_id: rustc_hash::FxHashMap::default(),
        max_entities,
        past_limit: false,
    };
    for (name, bytes) in files {
        l.load_file(name, bytes);
    }
    if !l.past_limit {
        l.resolve();
    }
    l.finish()
}

/// Loads one in-memory text; handy in tests.
pub fn load_str(name: &str, text: &str) -> Result<Model, LoadFailure> {
    load(vec![(name.to_owned(), text.as_bytes().to_vec())])
}

impl Loader {
    fn error(&mut self, e: InputError) {
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(e);
        } else {
            self.suppressed += 1;
        }
    }

    fn span(&self, file: FileId, n: &YNode) -> Span {
        self.sources.span(file, n.start, n.len)
    }

    /// Text of a scalar as the user wrote it: `101` as an id stays "101",
    /// `on` stays "on". `None` for null, lists and maps.
    fn scalar_text(&self, file: FileId, n: &YNode) -> Option<String> {
        match &n.value {
            YValue::Str(s) => Some(s.clone()),
            YValue::Bool(_) | YValue::Int(_) | YValue::Float(_) => {
                Some(self.sources.text(self.span(file, n)).trim().to_owned())
            }
            _ => None,
        }
    }

    fn load_file(&mut self, name: String, bytes: Vec<u8>) {
        if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
            self.error(
                InputError::plain("not-text", format!("{name}:1:1: the file is UTF-16 text"))
                    .help("save it as UTF-8 (most editors: \"Save with encoding\")"),
            );
            return;
        }
        let (text, bad_utf8) = match String::from_utf8(bytes) {
            Ok(t) => (t, None),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let bytes = e.into_bytes();
                (String::from_utf8_lossy(&bytes).into_owned(), Some(at))
            }
        };
        let added = self.sources.add(name.clone(), text);
        if let Some(f) = added {
            self.description_files.push(f);
        }
        let Some(file) = added else {
            self.error(InputError::plain(
                "too-large",
                format!("{name}: the description is larger than 4 GiB in total"),
            ));
            return;
        };
        // Binary content is not shown: its bytes would garble the terminal.
        if let Some(at) = bad_utf8 {
            // The lossy text has the same prefix, so the offset still holds.
            let lc = self.sources.file(file).line_col(at as u32);
            self.error(
                InputError::plain(
                    "not-text",
                    format!(
                        "{name}:{}:{}: not UTF-8 text (byte {at})",
                        lc.line, lc.column
                    ),
                )
                .help("descriptions are YAML text files; is this a binary file?"),
            );
            return;
        }
        if let Some(at) = self.sources.file(file).text.find('\0') {
            let lc = self.sources.file(file).line_col(at as u32);
            self.error(
                InputError::plain(
                    "not-text",
                    format!(
                        "{name}:{}:{}: the file contains a NUL byte",
                        lc.line, lc.column
                    ),
                )
                .help("descriptions are YAML text files; is this a binary file?"),
            );
            return;
        }
        // Entities are loaded as the parser completes them (see
        // `yaml::parse_streaming`); what a file turns out to be (broken, or
        // a rule file) is only known at its end, so the loader can roll back.
        let text = std::sync::Arc::clone(&self.sources.file(file).text);
        let mark = (
            self.entities.len(),
            self.errors.len(),
            self.suppressed,
            self.past_limit,
        );
        // Room for the entities this file may hold (one per ~40 bytes at
        // most in practice), so the big vectors grow without copying
        // themselves; pages never written are never resident.
        let room = (text.len() / 40).min(self.max_entities.saturating_sub(mark.0));
        self.entities.reserve(room);
        self.pending.reserve(room);
        let mut kind: Option<Kind> = None;
        let parsed = crate::input::stream::stream(&text, |item| match item {
            // Entities of `version`, an unknown section or a repeated one
            // are not loaded; `load_root` reports those sections.
            Streamed::Section { key, repeated } => {
                kind = match self.scalar_text(file, &key) {
                    Some(name) if !repeated => Kind::from_section(&name),
                    _ => None,
                };
            }
            Streamed::Entry(id, body) => {
                if let Some(kind) = kind {
                    self.load_entity(file, kind, &id, &body);
                }
            }
        });
        if parsed.is_err()
            || matches!(&parsed, Ok(YNode { value: YValue::Map(m), .. }) if is_rule_file(m))
        {
            for e in self.entities.drain(mark.0..) {
                self.by_id.remove(&e.id);
            }
            self.pending.truncate(mark.0);
            self.errors.truncate(mark.1);
            (self.suppressed, self.past_limit) = (mark.2, mark.3);
        }
        match parsed {
            Ok(root) => self.load_root(file, &root),
            Err(e) => {
                let f = self.sources.file(file);
                let off = e
                    .line_col
                    .map(|(line, col)| f.offset_of(line, col))
                    .unwrap_or(0);
                let span = self.sources.span(file, off, 0);
                let help = if e.message.contains("nested") {
                    "a description needs a handful of levels; this looks generated or corrupt"
                } else if e.message.contains("alias") {
                    "descriptions rarely need anchors and aliases; write the values out"
                } else {
                    "the mistake is often just before this point: an unclosed bracket or quote, or a wrong indentation"
                };
                self.error(
                    InputError::at("syntax", span, format!("invalid YAML: {}", e.message))
                        .help(help),
                );
            }
        }
    }

    fn load_root(&mut self, file: FileId, root: &YNode) {
        let entries = match &root.value {
            YValue::Null => return,
            YValue::Map(m) => m,
            other => {
                let span = self.span(file, root);
                self.error(
                    InputError::at(
                        "wrong-type",
                        span,
                        format!(
                            "a description is a map of sections, found {}",
                            other.type_name()
                        ),
                    )
                    .help("start with a section such as `hosts:` or `services:`"),
                );
                return;
            }
        };
        if is_rule_file(entries) {
            // A rule file inside a checked directory is not a description.
            self.description_files.retain(|&f| f != file);
            return;
        }
        let mut seen: HashMap<String, Span> = HashMap::new();
        for (k, v) in entries {
            let kspan = self.span(file, k);
            let Some(key) = self.scalar_text(file, k) else {
                self.error(InputError::at(
                    "wrong-type",
                    kspan,
                    "a section name must be a string",
                ));
                continue;
            };
            if let Some(first) = seen.insert(key.clone(), kspan) {
                self.error(
                    InputError::at(
                        "duplicate-key",
                        kspan,
                        format!("section `{key}` appears twice in this file"),
                    )
                    .label("again here")
                    .also(first, "first here")
                    .help("merge the two into one section"),
                );
                continue;
            }
            if key == "version" {
                let ok = matches!(v.value, YValue::Int(1));
                if !ok {
                    let span = self.span(file, v);
                    self.error(
                        InputError::at("bad-value", span, "`version` must be 1")
                            .label("unsupported version")
                            .help("this faultline reads version 1 descriptions"),
                    );
                }
                continue;
            }
            let Some(kind) = Kind::from_section(&key) else {
                let mut e =
                    InputError::at("unknown-key", kspan, format!("unknown section `{key}`"))
                        .label("not a section of a description");
                if let Some(s) = did_you_mean(&key, schema::top_level_keys()) {
                    e = e.help(format!("did you mean `{s}`?"));
                } else {
                    e = e.help(format!(
                        "sections are: {}",
                        schema::top_level_keys().collect::<Vec<_>>().join(", ")
                    ));
                }
                self.error(e);
                continue;
            };
            match &v.value {
                YValue::Null => {}
                YValue::Map(m) => {
                    for (idk, body) in m {
                        self.load_entity(file, kind, idk, body);
                    }
                }
                other => {
                    let span = self.span(file, v);
                    self.error(
                        InputError::at(
                            "wrong-type",
                            span,
                            format!(
                                "`{key}` must be a map from id to {}, found {}",
                                kind.singular(),
                                other.type_name()
                            ),
                        )
                        .help(format!(
                            "write `{key}:` followed by `  my-id: {{...}}` lines"
                        )),
                    );
                }
            }
        }
    }

    fn load_entity(&mut self, file: FileId, kind: Kind, idk: &YNode, body: &YNode) {
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

    /// Second pass: names to ids, kinds, and checks across fields.
    fn resolve(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        let mut anti = Vec::new();
        for (i, p) in pending.into_iter().enumerate() {
            let eid = i as EntityId;
            for (spec, r) in p.single {
                let FieldType::Ref(kinds) = spec.ty else {
                    continue;
                };
                if let Some(t) = self.resolve_ref(eid, spec.name, kinds, &r) {
                    let e = &mut self.entities[i];
                    let slot = match spec.name {
                        "site" => &mut e.site,
                        "rack" => &mut e.rack,
                        "feed" => &mut e.feed,
                        "host" => &mut e.host,
                        "cluster" => &mut e.cluster,
                        "ft_secondary" => &mut e.ft_secondary,
                        other => unreachable!("reference field {other} has no slot"),
                    };
                    *slot = Some(t);
                }
            }
            for (spec, list) in p.lists {
                let FieldType::Refs(kinds) = spec.ty else {
                    continue;
                };
                // Duplicates dropped through a set: a list can name a
                // million entities (a service on every host).
                let mut ids = Vec::with_capacity(list.len());
                let mut seen = rustc_hash::FxHashSet::default();
                for r in &list {
                    if let Some(t) = self.resolve_ref(eid, spec.name, kinds, r) {
                        // Most lists are short: a scan beats a set there.
                        let fresh = if list.len() <= 16 {
                            !ids.contains(&t)
                        } else {
                            seen.insert(t)
                        };
                        if fresh {
                            ids.push(t);
                        }
                    }
                }
                let e = &mut self.entities[i];
                let slot = match spec.name {
                    "requires" => &mut e.requires,
                    "power" => &mut e.power,
                    "network" => &mut e.network,
                    "uplinks" => &mut e.uplinks,
                    "instances" => &mut e.instances,
                    "depends_on" => &mut e.depends_on,
                    "backups" => &mut e.backups,
                    other => unreachable!("list field {other} has no slot"),
                };
                *slot = ids;
            }
            if !p.anti_affinity.is_empty() {
                anti.push((i, p.anti_affinity));
            }
        }
        // Membership needs every vm's host and cluster resolved first.
        for (i, groups) in anti {
            let eid = i as EntityId;
            for group in groups {
                let mut ids = Vec::new();
                let mut seen = HashSet::new();
                for r in &group {
                    if let Some(t) = self.resolve_ref(eid, "anti_affinity", &[Kind::Vm], r) {
                        let vm = &self.entities[t as usize];
                        let here = vm.cluster == Some(eid)
                            || vm
                                .host
                                .is_some_and(|h| self.entities[h as usize].cluster == Some(eid));
                        if !here {
                            let cname = self.entities[i].id.clone();
                            self.error(
                                InputError::at(
                                    "wrong-kind",
                                    r.span,
                                    format!("vm `{}` is not in cluster `{cname}`", r.name),
                                )
                                .label("not a vm of this cluster")
                                .also(vm.span, "defined here"),
                            );
                        } else if seen.insert(t) {
                            ids.push(t);
                        }
                    }
                }
                self.entities[i].anti_affinity.push(ids);
            }
        }
        for i in 0..self.entities.len() {
            self.check_entity(i);
        }
    }

    fn resolve_ref(
        &mut self,
        _from: EntityId,
        field: &str,
        kinds: &[Kind],
        r: &RawRef,
    ) -> Option<EntityId> {
        match self.by_id.get(&r.name) {
            Some(&t) => {
                let tk = self.entities[t as usize].kind();
                if kinds.contains(&tk) {
                    return Some(t);
                }
                let tspan = self.entities[t as usize].span;
                self.error(
                    InputError::at(
                        "wrong-kind",
                        r.span,
                        format!(
                            "`{field}` takes {}, but `{}` is a {}",
                            kinds_phrase(kinds),
                            r.name,
                            tk.singular()
                        ),
                    )
                    .label(format!("this is a {}", tk.singular()))
                    .also(tspan, format!("`{}` is defined here", r.name))
                    .help(format!("name {} here", kinds_phrase(kinds))),
                );
                None
            }
            None => {
                let mut err = InputError::at(
                    "unknown-id",
                    r.span,
                    format!("`{field}` names `{}`, which is not defined", r.name),
                )
                .label("no entity has this id");
                if let Some(s) = self.suggest_id(&r.name, kinds) {
                    err = err.help(format!("did you mean `{s}`?"));
                } else {
                    err = err.help(format!(
                        "`{field}` takes {}; define it or fix the name",
                        kinds_phrase(kinds)
                    ));
                }
                self.error(err);
                None
            }
        }
    }

    /// Nearest defined id of an acceptable kind. Skipped on huge estates
    /// once a few errors are out: it is a scan of every id.
    fn suggest_id(&self, name: &str, kinds: &[Kind]) -> Option<String> {
        if self.errors.len() > 10 && self.entities.len() > 100_000 {
            return None;
        }
        did_you_mean(
            name,
            self.entities
                .iter()
                .filter(|e| kinds.contains(&e.kind()))
                .map(|e| e.id.as_str()),
        )
        .map(str::to_owned)
    }

    fn check_entity(&mut self, i: usize) {
        let e = &self.entities[i];
        if e.kind() != Kind::Vm {
            return;
        }
        let (span, id) = (e.span, e.id.clone());
        let host = e.field_span("host");
        let cluster = e.field_span("cluster");
        let ft = e.field_span("ft_secondary");
        match (host, cluster) {
            (Some(h), Some(c)) => self.error(
                InputError::at(
                    "vm-placement",
                    span,
                    format!("vm `{id}` has both `host` and `cluster`"),
                )
                .also(h, "pinned here")
                .also(c, "floating here")
                .help("a vm is either pinned to a host or floats in a cluster: keep one"),
            ),
            (None, None) => self.error(
                InputError::at(
                    "vm-placement",
                    span,
                    format!("vm `{id}` has neither `host` nor `cluster`"),
                )
                .label("runs nowhere")
                .help("add `host: <host id>` (pinned) or `cluster: <cluster id>` (floating)"),
            ),
            _ => {}
        }
        if let (Some(ft), None) = (ft, host) {
            self.error(
                InputError::at(
                    "vm-placement",
                    ft,
                    format!("vm `{id}` has `ft_secondary` but no `host`"),
                )
                .label("needs a pinned `host`")
                .help("a fault-tolerant copy pairs a pinned primary host with a secondary host"),
            );
        }
    }

    fn finish(mut self) -> Result<Model, LoadFailure> {
        // Report in reading order: by file, then position.
        self.errors
            .sort_by_key(|e| e.primary_span().map_or(0, |s| s.start));
        if self.suppressed > 0 {
            let n = self.suppressed;
            self.errors.push(InputError::plain(
                "too-many-errors",
                format!("{n} more error(s) not shown; fix the ones above first"),
            ));
        }
        if !self.errors.is_empty() {
            return Err(LoadFailure {
                sources: self.sources,
                errors: self.errors,
            });
        }
        let mut cluster_hosts = vec![Vec::new(); self.entities.len()];
        for (i, e) in self.entities.iter().enumerate() {
            if e.kind() == Kind::Host
                && let Some(c) = e.cluster
            {
                cluster_hosts[c as usize].push(i as EntityId);
            }
        }
        Ok(Model {
            description_files: self.description_files,
            sources: self.sources,
            entities: self.entities,
            by_id: self.by_id,
            cluster_hosts,
        })
    }
}

/// faultline rule files have `id` and `template` at the top; no description
/// does, so such a file found below a checked directory is skipped.
fn is_rule_file(entries: &[(YNode, YNode)]) -> bool {
    let has = |key: &str| {
        entries
            .iter()
            .any(|(k, _)| matches!(&k.value, YValue::Str(s) if s == key))
    };
    has("id") && has("template")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(text: &str) -> Vec<(String, Vec<u8>)> {
        vec![("t.yaml".to_owned(), text.as_bytes().to_vec())]
    }

    #[test]
    fn entities_past_the_limit_are_one_error_at_the_first_of_them() {
        let text = "hosts:\n  h1: {}\n  h2: {}\nservices:\n  s: {instances: [h1, h2]}\n";
        // At the limit: loads.
        assert!(load_limited(Sources::new(), files(text), 3).is_ok());
        // One past it: one error, at `s` (the fourth entity), nothing else
        // (references are not resolved once entities are left out).
        let Err(f) = load_limited(Sources::new(), files(text), 2) else {
            panic!("over the limit must fail")
        };
        assert_eq!(f.errors.len(), 1, "{:?}", f.errors);
        let e = &f.errors[0];
        assert_eq!(e.code, "too-many-entities");
        assert_eq!(e.message, "more than 2 entities, the limit for one run");
        let (file, lc) = f.sources.locate(e.primary_span().expect("a position"));
        assert_eq!((file, lc.line, lc.column), ("t.yaml", 5, 3));
        assert_eq!(MAX_ENTITIES, 5_000_000);
    }

    fn codes(text: &str) -> Vec<&'static str> {
        match load(files(text)) {
            Ok(_) => vec![],
            Err(f) => f.errors.iter().map(|e| e.code).collect(),
        }
    }

    /// Entities are loaded while the file streams; these are the cases
    /// where the end of the file changes what its start meant.
    #[test]
    fn streamed_entities_follow_what_the_whole_file_turns_out_to_be() {
        // A syntax error after entities: only the syntax error, no
        // dangling references to the entities that never loaded.
        assert_eq!(
            codes("hosts:\n  h1: {requires: [h2]}\n  h2: {rack: [\n"),
            ["syntax"]
        );
        // A repeated section is reported once and its entities not loaded,
        // even when the first one had none to stream.
        assert_eq!(
            codes("hosts: ~\nhosts:\n  h1: {}\n  h1: {}\n"),
            ["duplicate-key"]
        );
        // A rule file in a checked directory is not a description, even
        // when its example looks like a section.
        let rule = "id: r\ntemplate: field\nhosts: {h1: {requires: [nope]}}\n";
        let m = load(files(rule)).ok().expect("a rule file is skipped");
        assert!(m.is_empty());
        // Anchored sections and merge keys still work.
        let m = load(files(
            "hosts: &h {h1: {}}\nracks: {r1: {}}\nvms: {v: {<<: {host: h1}}}\n",
        ))
        .ok()
        .expect("loads");
        assert_eq!(m.len(), 3);
        assert_eq!(m.get(m.lookup("v").unwrap()).host, m.lookup("h1"));
    }
}
