//! The answers behind `spof`, `impact`, `rules` and `explain`, and their
//! human and JSON forms.

use crate::analysis::Analysis;
use crate::availability::Estimate;
use crate::engine::{CutSets, TooLarge, by_name, down};
use crate::model::{EntityId, Kind};
use crate::rules::{Rule, RuleSet};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// Every service UP with nothing failed, with its SPOFs (sorted).
pub fn spof(a: &Analysis) -> BTreeMap<String, Vec<String>> {
    a.services()
        .filter(|&s| a.is_up(s))
        .map(|s| {
            (
                a.model.name(s).to_owned(),
                a.model.names_sorted(&a.spofs(s)),
            )
        })
        .collect()
}

pub fn spof_json(_a: &Analysis, spofs: &BTreeMap<String, Vec<String>>) -> Value {
    json!({ "services": spofs })
}

pub fn spof_human(a: &Analysis, spofs: &BTreeMap<String, Vec<String>>) -> String {
    let width = column_width(spofs.keys().map(String::len));
    let mut s = format!("{:<width$}  single points of failure\n", "service");
    for (svc, culprits) in spofs {
        let list = if culprits.is_empty() {
            "none".to_owned()
        } else {
            culprits.join(", ")
        };
        s.push_str(&format!("{svc:<width$}  {list}\n"));
    }
    let never: Vec<&str> = a
        .services()
        .filter(|&x| !a.is_up(x))
        .map(|x| a.model.name(x))
        .collect();
    if !never.is_empty() {
        s.push_str(&format!(
            "\nnever healthy (down with nothing failed): {}\n",
            never.join(", ")
        ));
    }
    let with = spofs.values().filter(|v| !v.is_empty()).count();
    s.push_str(&format!(
        "\n{with} of {} services have a single point of failure\n",
        spofs.len()
    ));
    s
}

/// Width of a table's name column: the longest name, at least 7 (the
/// header), at most 60 so that one very long id runs past its column
/// instead of padding every row of the table to its length.
fn column_width(lens: impl Iterator<Item = usize>) -> usize {
    lens.max().unwrap_or(0).clamp(7, 60)
}

pub struct Impact {
    pub down: Vec<String>,
    pub degraded: Vec<String>,
    pub at_risk: BTreeMap<String, Vec<String>>,
}

pub fn impact(a: &Analysis, failed: &[EntityId]) -> Impact {
    let m = a.model;
    let is_down = down(&a.circuit, failed);
    let down_ids: Vec<EntityId> = m.ids().filter(|&x| is_down[x as usize]).collect();
    let degraded: Vec<EntityId> = a
        .services()
        .filter(|&s| {
            !is_down[s as usize] && m.get(s).instances.iter().any(|&i| is_down[i as usize])
        })
        .collect();
    let ks = CutSets::compute(&a.circuit, a.components(), failed, 1, None)
        .unwrap_or_else(|e| unreachable!("order-1 families have no size limit: {e}"));
    let at_risk = a
        .services()
        .filter(|&s| !is_down[s as usize])
        .filter_map(|s| {
            let k = ks.killers(s);
            (!k.is_empty()).then(|| (m.name(s).to_owned(), m.names_sorted(&k)))
        })
        .collect();
    Impact {
        down: m.names_sorted(&down_ids),
        degraded: m.names_sorted(&degraded),
        at_risk,
    }
}

pub fn impact_json(_a: &Analysis, i: &Impact) -> Value {
    json!({"down": i.down, "degraded": i.degraded, "at_risk": i.at_risk})
}

pub fn impact_human(a: &Analysis, failed: &[EntityId], i: &Impact) -> String {
    let m = a.model;
    let failed_names = m.names_sorted(failed);
    let mut s = format!("failing: {}\n\n", failed_names.join(", "));
    let services: Vec<&String> = i
        .down
        .iter()
        .filter(|n| {
            m.lookup(n)
                .is_some_and(|x| m.get(x).kind() == Kind::Service && a.is_up(x))
        })
        .collect();
    let already: Vec<&str> = a
        .services()
        .filter(|&x| !a.is_up(x))
        .map(|x| m.name(x))
        .collect();
    let svc_list = |v: &[&String]| v.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(", ");
    s.push_str(&format!(
        "services down ({}): {}\n",
        services.len(),
        if services.is_empty() {
            "none".into()
        } else {
            svc_list(&services)
        }
    ));
    if !already.is_empty() {
        s.push_str(&format!(
            "already down with nothing failed: {}\n",
            already.join(", ")
        ));
    }
    s.push_str(&format!(
        "services degraded ({}): {}\n",
        i.degraded.len(),
        if i.degraded.is_empty() {
            "none".into()
        } else {
            i.degraded.join(", ")
        }
    ));
    s.push_str(&format!(
        "entities down ({}): {}\n",
        i.down.len(),
        i.down.join(", ")
    ));
    if !i.at_risk.is_empty() {
        s.push_str("\none failure from an outage:\n");
        for (svc, units) in &i.at_risk {
            s.push_str(&format!("  {svc}: {}\n", units.join(", ")));
        }
    }
    s
}

pub fn rules_text(set: &RuleSet) -> String {
    let w = set.rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
    let mut s = String::new();
    for r in &set.rules {
        let origin = if r.origin == "built-in" {
            String::new()
        } else {
            format!("  [{}]", r.origin)
        };
        s.push_str(&format!(
            "{:<w$}  {:<7}  {}{origin}\n",
            r.id,
            r.severity.as_str(),
            r.summary
        ));
    }
    s
}

pub fn rules_markdown(set: &RuleSet) -> String {
    let mut s = String::from(
        "# faultline rules\n\nGenerated by `faultline rules --format markdown`; do not edit by hand.\n\n| rule | severity | template | summary |\n|---|---|---|---|\n",
    );
    for r in &set.rules {
        s.push_str(&format!(
            "| [`{}`](#{}) | {} | `{}` | {} |\n",
            r.id, r.id, r.severity, r.template_name, r.summary
        ));
    }
    s.push_str("\n## Templates\n\nA rule file names one of these templates and gives its `params`. A selector (`select`, `a`, `b`) takes `kinds`, `labels` (all must match), `ids` (globs) and `where` (a CEL expression over `e`).\n\n| template | params | checks |\n|---|---|---|\n");
    for (name, params, doc) in crate::rules::templates::DOCS {
        s.push_str(&format!(
            "| `{name}` | {} | {doc} |\n",
            if params.is_empty() { "none" } else { params }
        ));
    }
    for r in &set.rules {
        s.push_str(&format!("\n## {}\n\n{}\n\n", r.id, r.description));
        if !r.remediation.is_empty() {
            s.push_str(&format!(
                "**Fix:** {}\n\n",
                r.remediation.replace('\n', " ")
            ));
        }
        if let Some(ex) = &r.example {
            s.push_str(&format!(
                "Example that triggers it:\n\n```yaml\n{}```\n",
                ex
            ));
        }
    }
    s
}

pub fn explain(r: &Rule) -> String {
    let mut s = format!(
        "{} ({}, template `{}`)\n\n{}\n",
        r.id, r.severity, r.template_name, r.summary
    );
    if !r.description.is_empty() {
        s.push_str(&format!("\nWhy it matters:\n{}\n", indent(&r.description)));
    }
    if !r.remediation.is_empty() {
        s.push_str(&format!("\nHow to fix it:\n{}\n", indent(&r.remediation)));
    }
    if let Some(ex) = &r.example {
        s.push_str(&format!("\nExample:\n{}\n", indent(ex)));
    }
    s
}

fn indent(t: &str) -> String {
    t.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("  {l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// JSON object with sorted keys from pairs (used by analyses with maps).
pub fn object<I: IntoIterator<Item = (String, Value)>>(it: I) -> Value {
    Value::Object(it.into_iter().collect::<Map<_, _>>())
}

/// Minimal cut sets up to `max_order` of every service UP with nothing
/// failed, as sorted id lists.
pub fn cuts(
    a: &Analysis,
    max_order: usize,
) -> Result<BTreeMap<String, Vec<Vec<String>>>, TooLarge> {
    use rayon::prelude::*;
    let m = a.model;
    let cs = a.cuts(max_order)?;
    let services: Vec<EntityId> = a.services().filter(|&s| a.is_up(s)).collect();
    Ok(services
        .par_iter()
        .map(|&s| {
            let sets = by_name(m, &cs.family(s))
                .into_iter()
                .map(|c| c.iter().map(|&u| m.name(u).to_owned()).collect())
                .collect();
            (m.name(s).to_owned(), sets)
        })
        .collect())
}

pub fn cuts_json(cuts: &BTreeMap<String, Vec<Vec<String>>>) -> Value {
    json!({ "services": cuts })
}

pub fn cuts_human(cuts: &BTreeMap<String, Vec<Vec<String>>>, max_order: usize) -> String {
    let mut s = String::new();
    for (svc, sets) in cuts {
        s.push_str(&format!("{svc}\n"));
        if sets.is_empty() {
            s.push_str(&format!("  no cut set of up to {max_order} units\n"));
        }
        for order in 1..=max_order {
            let of: Vec<&Vec<String>> = sets.iter().filter(|c| c.len() == order).collect();
            if of.is_empty() {
                continue;
            }
            let label = match order {
                1 => "single failures".to_owned(),
                2 => "pairs".to_owned(),
                3 => "triples".to_owned(),
                n => format!("sets of {n}"),
            };
            s.push_str(&format!("  {label} ({}):\n", of.len()));
            for c in of {
                s.push_str(&format!("    {}\n", c.join(" + ")));
            }
        }
    }
    s
}

pub fn availability_json(a: &Analysis, estimates: &[Option<Estimate>]) -> Value {
    let services: Map<String, Value> = a
        .services()
        .filter_map(|s| estimates[s as usize].as_ref().map(|e| (s, e)))
        .map(|(s, e)| {
            (
                a.model.name(s).to_owned(),
                json!({"availability": e.availability, "slo": e.slo}),
            )
        })
        .collect::<BTreeMap<_, _>>()
        .into_iter()
        .collect();
    json!({ "services": services })
}

pub fn availability_human(a: &Analysis, estimates: &[Option<Estimate>], order: usize) -> String {
    let m = a.model;
    let mut rows: Vec<(String, u32)> = a.services().map(|s| (m.name(s).to_owned(), s)).collect();
    rows.sort();
    let w = column_width(rows.iter().map(|r| r.0.len()));
    let mut s = format!(
        "{:<w$}  {:>10}  {:>10}  {:>14}  biggest contributors\n",
        "service", "estimate", "slo", "downtime/year"
    );
    for (name, id) in rows {
        let Some(e) = estimates[id as usize].as_ref() else {
            continue;
        };
        let pct = |x: f64| format!("{:.4}%", x * 100.0);
        let slo = e.slo.map(pct).unwrap_or_else(|| "-".into());
        let verdict = match e.slo {
            Some(t) if e.availability < t => "  MISSES SLO",
            _ => "",
        };
        let minutes = (1.0 - e.availability) * 365.25 * 24.0 * 60.0;
        let downtime = if minutes >= 120.0 {
            format!("{:.1} h", minutes / 60.0)
        } else {
            format!("{:.1} min", minutes)
        };
        let top: Vec<String> = e
            .contributors
            .iter()
            .take(3)
            .map(|(c, p)| {
                let names: Vec<&str> = c.iter().map(|&u| m.name(u)).collect();
                format!(
                    "{} ({:.1}%)",
                    names.join("+"),
                    100.0 * p / (1.0 - e.availability).max(f64::MIN_POSITIVE)
                )
            })
            .collect();
        s.push_str(&format!(
            "{name:<w$}  {:>10}  {:>10}  {:>14}  {}{verdict}\n",
            pct(e.availability),
            slo,
            downtime,
            if top.is_empty() {
                "-".into()
            } else {
                top.join(", ")
            }
        ));
    }
    s.push_str(&format!("\nestimate: 1 - sum over minimal cut sets of up to {order} units of the product of their unavailabilities (independent failures, steady state)\n"));
    s
}
