//! Entities whose failure domains are left out of the description. A host
//! with no rack and no power can only fail on its own, so every analysis
//! sees it as more independent than it is: the less is described, the
//! healthier an estate looks. This names what is missing so the gap is
//! visible instead of silently green.

use super::Registered;
use super::Template;
use crate::analysis::Analysis;
use crate::input::diag::InputError;
use crate::input::yaml::YValue;
use crate::model::schema;
use crate::model::{Entity, Kind};
use crate::rules::finding::Hit;
use crate::rules::params::{Params, string_list};

/// The registry's entry (see `templates/mod.rs`).
pub const DESCRIBED: Registered = Registered {
    name: "described",
    params: "fields (kind: [field, \"field or field\", ...])",
    doc: "Entities of the given kinds that leave out any of the listed fields (`a or b`: at least one of them).",
    build: |p| Ok(Box::new(Described::new(p)?)),
};

pub struct Described {
    /// Per kind, the fields it must give; each a set of alternatives.
    wanted: Vec<(Kind, Vec<Vec<&'static str>>)>,
}

impl Described {
    pub fn new(p: &Params) -> Result<Self, InputError> {
        let node = p.get("fields").ok_or_else(|| p.missing("fields"))?;
        let YValue::Map(m) = &node.value else {
            return Err(p.error(node, "`fields` maps entity kinds to lists of fields"));
        };
        let mut wanted = Vec::new();
        for (k, v) in m {
            let YValue::Str(name) = &k.value else {
                return Err(p.error(k, "`fields` maps entity kinds to lists of fields"));
            };
            let kind = Kind::from_singular(name).ok_or_else(|| {
                let all = Kind::ALL.iter().map(|k| k.singular());
                p.error(k, format!("unknown entity kind `{name}`")).suggest(
                    name,
                    all.clone(),
                    format!("kinds are: {}", all.collect::<Vec<_>>().join(", ")),
                )
            })?;
            let mut groups = Vec::new();
            for text in string_list(p, v, "fields")? {
                let mut group = Vec::new();
                for field in text.split(" or ").map(str::trim) {
                    let spec = schema::field(kind, field)
                        .ok_or_else(|| p.error(v, format!("a {name} has no field `{field}`")))?;
                    group.push(spec.name);
                }
                groups.push(group);
            }
            wanted.push((kind, groups));
        }
        Ok(Described { wanted })
    }
}

/// Whether an entity gives a value for `field` (an empty list gives none:
/// an empty any-of group is not considered by the semantics).
fn gives(e: &Entity, field: &str) -> bool {
    match field {
        "site" => e.site.is_some(),
        "rack" => e.rack.is_some(),
        "feed" => e.feed.is_some(),
        "host" => e.host.is_some(),
        "cluster" => e.cluster.is_some(),
        "power" => !e.power.is_empty(),
        "network" => !e.network.is_empty(),
        "uplinks" => !e.uplinks.is_empty(),
        "requires" => !e.requires.is_empty(),
        "capacity_w" => e.capacity_w.is_some(),
        "draw_w" => e.draw_w.is_some(),
        "memory_gb" => e.memory_gb.is_some(),
        _ => e.field_spans.iter().any(|&(i, _)| {
            schema::fields(e.kind()).get(usize::from(i)).map(|f| f.name) == Some(field)
        }),
    }
}

fn quoted(group: &[&str]) -> String {
    let names: Vec<String> = group.iter().map(|f| format!("`{f}`")).collect();
    match names.len() {
        1 => names[0].clone(),
        _ => names.join(" or "),
    }
}

impl Template for Described {
    fn check(&self, a: &Analysis) -> Vec<Hit> {
        let m = a.model;
        let mut hits = Vec::new();
        for id in m.ids() {
            let e = m.get(id);
            let Some((_, groups)) = self.wanted.iter().find(|(k, _)| *k == e.kind()) else {
                continue;
            };
            let missing: Vec<String> = groups
                .iter()
                .filter(|g| !g.iter().any(|f| gives(e, f)))
                .map(|g| quoted(g))
                .collect();
            if missing.is_empty() {
                continue;
            }
            let list = match missing.split_last() {
                Some((last, [])) => last.clone(),
                Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
                None => unreachable!("missing is not empty"),
            };
            hits.push(Hit {
                subject: id,
                message: format!(
                    "{} `{}` does not name its {list}: the analysis cannot see the failures it shares with its neighbours",
                    e.kind().singular(),
                    e.id,
                ),
                help: Some(format!(
                    "describe {list} of `{}`, or waive `missing-failure-domain` where it really has none",
                    e.id
                )),
                ..Hit::default()
            });
        }
        hits
    }
}
