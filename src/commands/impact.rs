//! `faultline impact`: what is down, degraded and one failure from an
//! outage when the given units fail (maintenance planning).

use super::context::{self, DataFormat, Input};
use crate::analysis::Analysis;
use crate::check::prepare::Prepared;
use crate::engine::{CutSets, Scope, down};
use crate::exit;
use crate::input::diag::{InputError, did_you_mean};
use crate::model::{EntityId, Kind, Model};
use crate::report::json;
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub struct Impact {
    pub down: Vec<String>,
    pub degraded: Vec<String>,
    pub at_risk: BTreeMap<String, Vec<String>>,
    /// With one unit failed: how long each service it hurts is down
    /// (FORMAT §8), by service id; `None` for never.
    pub recovery: BTreeMap<String, Option<u64>>,
}

pub fn compute(a: &Analysis, failed: &[EntityId]) -> Impact {
    let m = a.model;
    let is_down = down(&a.circuit, failed);
    let down_ids: Vec<EntityId> = m.ids().filter(|&x| is_down[x as usize]).collect();
    let degraded: Vec<EntityId> = a
        .services()
        .filter(|&s| {
            !is_down[s as usize] && m.get(s).instances.iter().any(|&i| is_down[i as usize])
        })
        .collect();
    // Single failures on top of the drained units.
    let at_risk = match CutSets::compute(
        &a.circuit,
        a.components(),
        a.bounds(1),
        &Scope {
            base: failed,
            ..Scope::default()
        },
    ) {
        Ok(ks) => a
            .services()
            .filter(|&s| !is_down[s as usize])
            .filter_map(|s| {
                let k = ks.killers(s);
                (!k.is_empty()).then(|| (m.name(s).to_owned(), m.names_sorted(&k)))
            })
            .collect(),
        Err(e) => unreachable!("order-1 families have no size limit: {e}"),
    };
    // Recovery times are for one failed unit at a time (FORMAT §8).
    let mut recovery = BTreeMap::new();
    if let [u] = failed
        && m.get(*u).kind() != Kind::Service
        && let Ok(rows) = a.recovery_setup().one(*u)
    {
        for (svc, secs, _) in rows {
            if secs > 0 {
                let v = (secs != crate::analysis::recovery::eval::NEVER).then_some(secs);
                recovery.insert(m.name(svc).to_owned(), v);
            }
        }
    }
    Impact {
        recovery,
        down: m.names_sorted(&down_ids),
        degraded: m.names_sorted(&degraded),
        at_risk,
    }
}

/// The keys FORMAT §5 and §7 give impact's JSON, and no others: recovery
/// times are in the human form and in `faultline recovery --fail`.
pub fn to_json(i: &Impact) -> Value {
    json!({"down": i.down, "degraded": i.degraded, "at_risk": i.at_risk})
}

pub fn human(a: &Analysis, failed: &[EntityId], i: &Impact) -> String {
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
    if !i.recovery.is_empty() {
        s.push_str("\ndown for (recovery time, worst placement):\n");
        for (svc, secs) in &i.recovery {
            s.push_str(&format!(
                "  {svc}: {}\n",
                crate::analysis::recovery::human(
                    secs.unwrap_or(crate::analysis::recovery::eval::NEVER)
                )
            ));
        }
    }
    if !i.at_risk.is_empty() {
        s.push_str("\none failure from an outage:\n");
        for (svc, units) in &i.at_risk {
            s.push_str(&format!("  {svc}: {}\n", units.join(", ")));
        }
    }
    s
}

/// The `--fail` ids as entities: unknown ids are errors (with the nearest
/// id), and so are clusters (they never fail as such; their hosts do).
fn resolve(model: &Model, fail: &[String], no_color: bool) -> Result<Vec<EntityId>, i32> {
    let mut failed = Vec::new();
    let mut errors = Vec::new();
    for f in fail {
        match model.lookup(f) {
            Some(id) if model.get(id).kind() == Kind::Cluster => {
                // A usage error, not a warning: an empty answer would read
                // as "nothing goes down".
                let hosts = &model.cluster_hosts[id as usize];
                let names: Vec<&str> = hosts.iter().map(|&h| model.name(h)).collect();
                let help = match names.len() {
                    0 => "it has no hosts; fail the units its vms run on".to_owned(),
                    _ => format!(
                        "fail its hosts instead: {}",
                        names
                            .iter()
                            .map(|h| format!("--fail {h}"))
                            .collect::<Vec<_>>()
                            .join(" ")
                    ),
                };
                errors.push(
                    InputError::plain(
                        "not-a-unit",
                        format!(
                            "--fail `{f}`: a cluster is not a failure unit (its hosts are: {})",
                            if names.is_empty() {
                                "none".to_owned()
                            } else {
                                names.join(", ")
                            }
                        ),
                    )
                    .help(help),
                );
            }
            Some(id) => failed.push(id),
            None => {
                let mut e =
                    InputError::plain("unknown-id", format!("--fail `{f}`: no entity has this id"));
                if let Some(s) = did_you_mean(f, model.entities.iter().map(|e| e.id.as_str())) {
                    e = e.help(format!("did you mean `{s}`?"));
                }
                errors.push(e);
            }
        }
    }
    if errors.is_empty() {
        Ok(failed)
    } else {
        Err(context::report_errors(&model.sources, &errors, no_color))
    }
}

pub fn run(input: &Input, fail: &[String], format: DataFormat) -> Result<i32, i32> {
    let Prepared { model, config, .. } = context::load(input)?;
    let failed = resolve(&model, fail, input.no_color)?;
    let a = context::analysis(&model, &config, input)?;
    let answer = compute(&a, &failed);
    context::out(&match format {
        DataFormat::Json => json::to_string(&to_json(&answer)),
        DataFormat::Human => human(&a, &failed, &answer),
    });
    Ok(exit::CLEAN)
}
