//! `faultline impact`: what is down, degraded and one failure from an
//! outage when the given units fail (maintenance planning).

use super::context::{self, DataFormat, Input};
use crate::analysis::Analysis;
use crate::analysis::power::{self, fmt_num};
use crate::check::prepare::Prepared;
use crate::engine::{CutSets, Scope, down};
use crate::exit;
use crate::input::diag::{InputError, did_you_mean};
use crate::model::{EntityId, Kind, Model};
use crate::report::json;
use crate::report::terminal::{self, Style};
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub struct Impact {
    pub down: Vec<String>,
    pub degraded: Vec<String>,
    pub at_risk: BTreeMap<String, Vec<String>>,
    /// Services of `at_risk` that no single failure takes down with
    /// nothing failed: the risk the failures add (sorted).
    pub new_at_risk: Vec<String>,
    /// Pdus and feeds UP under F that carry more than their capacity
    /// (the power rules' arithmetic, FORMAT §4, under F), in id order.
    pub overloads: Vec<Overloaded>,
    /// With one unit failed: how long each service it hurts is down
    /// (FORMAT §8), by service id; `None` for never.
    pub recovery: BTreeMap<String, Option<u64>>,
}

/// A pdu or feed over its capacity under the failures.
pub struct Overloaded {
    pub id: String,
    pub kind: Kind,
    pub load_w: f64,
    pub capacity_w: f64,
    /// Over its capacity with nothing failed too (`power-overload`).
    pub steady: bool,
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
    let at_risk: BTreeMap<String, Vec<String>> = match CutSets::compute(
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
    let new_at_risk = at_risk
        .keys()
        .filter(|s| {
            m.lookup(s)
                .is_some_and(|x| a.is_up(x) && a.spofs(x).is_empty())
        })
        .cloned()
        .collect();
    let steady: Vec<EntityId> = power::overloads(m, &down(&a.circuit, &[]), &[])
        .into_iter()
        .map(|o| o.source)
        .collect();
    let overloads = power::overloads(m, &is_down, failed)
        .into_iter()
        .map(|o| Overloaded {
            id: m.name(o.source).to_owned(),
            kind: m.get(o.source).kind(),
            load_w: o.load,
            capacity_w: o.capacity,
            steady: steady.contains(&o.source),
        })
        .collect();
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
        new_at_risk,
        overloads,
    }
}

/// The keys FORMAT §5 and §7 give impact's JSON (`down`, `degraded`,
/// `at_risk`, unchanged), then what planners asked for beside them: the
/// services newly at risk and the power sources the failures overload.
/// Recovery times are in the human form and in `faultline recovery --fail`.
pub fn to_json(i: &Impact) -> Value {
    let overloads: Vec<Value> = i
        .overloads
        .iter()
        .map(|o| {
            json!({
                "id": o.id,
                "kind": o.kind.singular(),
                "load_w": o.load_w,
                "capacity_w": o.capacity_w,
                "steady": o.steady,
            })
        })
        .collect();
    json!({
        "down": i.down,
        "degraded": i.degraded,
        "at_risk": i.at_risk,
        "new_at_risk": i.new_at_risk,
        "overloads": overloads,
    })
}

/// Entities listed by the human form; `--format json` lists them all.
const MAX_DOWN_SHOWN: usize = 30;

/// "label (n): a, b, c", wrapped under a hanging indent, or "none".
fn listed(label: &str, items: &[String], style: Style, paint: fn(Style, &str) -> String) -> String {
    let lead = format!("{label} ({}): ", items.len());
    if items.is_empty() {
        return format!("{lead}{}\n", style.good("none"));
    }
    let names: Vec<String> = items.iter().map(|x| paint(style, x)).collect();
    terminal::list(&lead, &names, style.width)
}

pub fn human(a: &Analysis, failed: &[EntityId], i: &Impact, style: Style) -> String {
    let m = a.model;
    let w = style.width;
    let failed_names: Vec<String> = m.names_sorted(failed).iter().map(|x| style.id(x)).collect();
    let mut s = terminal::list(&style.heading("failing: "), &failed_names, w);
    s.push('\n');
    let services: Vec<String> = i
        .down
        .iter()
        .filter(|n| {
            m.lookup(n)
                .is_some_and(|x| m.get(x).kind() == Kind::Service && a.is_up(x))
        })
        .cloned()
        .collect();
    let already: Vec<&str> = a
        .services()
        .filter(|&x| !a.is_up(x))
        .map(|x| m.name(x))
        .collect();
    s.push_str(&listed("services down", &services, style, Style::error));
    if !already.is_empty() {
        s.push_str(&terminal::list(
            "already down with nothing failed: ",
            &already,
            w,
        ));
    }
    s.push_str(&listed(
        "services degraded",
        &i.degraded,
        style,
        Style::warning,
    ));
    let shown = terminal::some_pieces(&i.down, MAX_DOWN_SHOWN);
    let lead = format!("entities down ({}): ", i.down.len());
    s.push_str(&lead);
    s.push_str(&terminal::pack(
        &shown,
        lead.len(),
        lead.len().min(w / 2),
        w,
    ));
    s.push('\n');
    if i.down.len() > MAX_DOWN_SHOWN {
        s.push_str(&terminal::fill(
            "(`--format json` lists them all)",
            w,
            "  ",
            "  ",
        ));
    }
    if !i.overloads.is_empty() {
        s.push_str(&format!(
            "\n{}\n",
            style.heading(&format!("overloaded ({}):", i.overloads.len()))
        ));
        for o in &i.overloads {
            let text = format!(
                "{} `{}` carries {} W of {} W{}",
                o.kind.singular(),
                o.id,
                fmt_num(o.load_w),
                fmt_num(o.capacity_w),
                if o.steady {
                    " (already over with nothing failed)"
                } else {
                    ""
                }
            );
            s.push_str(&terminal::fill(&style.error(&text), w, "  ", "    "));
        }
    }
    if !i.recovery.is_empty() {
        s.push_str(&format!(
            "\n{}\n",
            style.heading("down for (recovery time, worst placement):")
        ));
        for (svc, secs) in &i.recovery {
            s.push_str(&format!(
                "  {svc}: {}\n",
                crate::analysis::recovery::human(
                    secs.unwrap_or(crate::analysis::recovery::eval::NEVER)
                )
            ));
        }
    }
    let (new, old): (Vec<_>, Vec<_>) = i
        .at_risk
        .iter()
        .partition(|(svc, _)| i.new_at_risk.contains(svc));
    for (title, group) in [
        ("one failure from an outage, new with these failures", new),
        (
            "one failure from an outage, already with nothing failed",
            old,
        ),
    ] {
        if group.is_empty() {
            continue;
        }
        s.push('\n');
        s.push_str(&terminal::fill(
            &style.heading(&format!("{title} ({}):", group.len())),
            w,
            "",
            "  ",
        ));
        for (svc, units) in group {
            let names: Vec<String> = units.iter().map(|u| style.id(u)).collect();
            s.push_str(&terminal::list(&format!("  {svc}: "), &names, w));
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
        DataFormat::Human => human(&a, &failed, &answer, context::style(input.no_color)),
    });
    Ok(exit::CLEAN)
}
