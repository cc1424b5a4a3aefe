//! The second pass: names resolved to ids once every file is read (ids
//! are global), kinds checked, and the rules that span several fields.

use super::{Loader, RawRef};
use crate::input::diag::{InputError, did_you_mean};
use crate::model::schema::{FieldType, kinds_phrase};
use crate::model::{EntityId, Kind};
use std::collections::HashSet;

impl Loader {
    /// Second pass: names to ids, kinds, and checks across fields.
    pub(super) fn resolve(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        let mut anti = Vec::new();
        let mut members = Vec::new();
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
                if spec.name == "hosts" {
                    // Membership stated on the cluster's side: applied once
                    // every host's own `cluster` is known.
                    members.push((eid, list));
                    continue;
                }
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
        for (cluster, list) in members {
            self.join_cluster(cluster, &list);
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
                            self.errors.push(
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
        self.check_waivers();
    }

    /// A waiver that names a rule or a culprit that does not exist waives
    /// nothing, silently: both are input errors, with the nearest name.
    fn check_waivers(&mut self) {
        let mut errors = Vec::new();
        for e in &self.entities {
            for w in &e.waivers {
                if let Some(ids) = &self.rule_ids
                    && !ids.contains(&w.rule)
                {
                    errors.push(
                        InputError::at(
                            "unknown-rule",
                            w.rule_span,
                            format!("waiver names unknown rule `{}`", w.rule),
                        )
                        .label("no such rule")
                        .suggest(
                            &w.rule,
                            ids.iter().map(String::as_str),
                            "`faultline rules` lists the rule ids",
                        ),
                    );
                }
                let named = w.culprits.iter().flatten().zip(&w.culprit_spans);
                for (id, &span) in named {
                    if !self.by_id.contains_key(id) {
                        let nearest = self.suggest_id(id, &Kind::ALL);
                        errors.push(crate::model::waiver::unknown_culprit(
                            id,
                            span,
                            nearest.as_deref(),
                        ));
                    }
                }
            }
        }
        self.errors.extend(errors);
    }

    /// Puts the hosts a cluster's `hosts` list names into it. A host has one
    /// cluster: one that its own `cluster` field or another list already
    /// put elsewhere is an error pointing at both statements.
    fn join_cluster(&mut self, cluster: EntityId, list: &[RawRef]) {
        let cname = self.entities[cluster as usize].id.clone();
        for r in list {
            let Some(h) = self.resolve_ref(cluster, "hosts", &[Kind::Host], r) else {
                continue;
            };
            let host = &self.entities[h as usize];
            match host.cluster {
                None => {
                    self.entities[h as usize].cluster = Some(cluster);
                    self.listed_in.insert(h, r.span);
                }
                Some(c) if c == cluster => {}
                Some(other) => {
                    let oname = self.entities[other as usize].id.clone();
                    let (first, said) = match self.listed_in.get(&h) {
                        Some(&at) => (at, format!("listed by cluster `{oname}` here")),
                        None => (
                            host.field_span("cluster").unwrap_or(host.span),
                            format!("its `cluster` is `{oname}`"),
                        ),
                    };
                    self.errors.push(
                        InputError::at(
                            "two-clusters",
                            r.span,
                            format!("host `{}` is in cluster `{oname}`, so cluster `{cname}` cannot list it", r.name),
                        )
                        .label("a second cluster for this host")
                        .also(first, said)
                        .help("a host belongs to one cluster: keep one of the two statements"),
                    );
                }
            }
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
                self.errors.push(
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
                self.errors.push(err);
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
        if e.kind() == Kind::Service
            && !e.stateful
            && let Some(at) = e.field_span("rpo")
        {
            let id = e.id.clone();
            self.errors.push(
                InputError::at(
                    "rpo-not-stateful",
                    at,
                    format!("service `{id}` has an `rpo` but is not stateful"),
                )
                .label("a recovery point is about data")
                .help("add `stateful: true` if the service holds data, or remove `rpo`"),
            );
            return;
        }
        if e.kind() != Kind::Vm {
            return;
        }
        let (span, id) = (e.span, e.id.clone());
        let host = e.field_span("host");
        let cluster = e.field_span("cluster");
        let ft = e.field_span("ft_secondary");
        match (host, cluster) {
            (Some(h), Some(c)) => self.errors.push(
                InputError::at(
                    "vm-placement",
                    span,
                    format!("vm `{id}` has both `host` and `cluster`"),
                )
                .also(h, "pinned here")
                .also(c, "floating here")
                .help("a vm is either pinned to a host or floats in a cluster: keep one"),
            ),
            (None, None) => self.errors.push(
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
            self.errors.push(
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
}
