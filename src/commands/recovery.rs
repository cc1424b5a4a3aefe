//! `faultline recovery`: for how long each kind of failure takes each
//! service down (RTO) and how much data it loses (RPO), against the
//! service's targets; with `--fail U`, for one unit, step by step.

use super::context::{self, Input, column_width};
use crate::analysis::Analysis;
use crate::analysis::recovery::eval::{Bin, NEVER};
use crate::analysis::recovery::place::{Story, story};
use crate::analysis::recovery::{Setup, Table, Worst, human as dur, json_seconds};
use crate::check::prepare::Prepared;
use crate::exit;
use crate::input::diag::{InputError, did_you_mean};
use crate::model::{EntityId, Kind, Model};
use crate::report::json;
use crate::report::terminal;
use serde_json::{Map, Value, json};
use std::io::Write;

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum RecoveryFormat {
    Human,
    Json,
    /// A Markdown table, for job summaries and pull-request comments.
    Markdown,
}

/// One kind's worst case as the JSON gives it.
#[derive(serde::Serialize)]
struct KindJson<'a> {
    #[serde(serialize_with = "seconds")]
    seconds: u64,
    target: Option<u64>,
    unit: Option<&'a str>,
}

fn seconds<S: serde::Serializer>(x: &u64, s: S) -> Result<S::Ok, S::Error> {
    if *x == NEVER {
        s.serialize_none()
    } else {
        s.serialize_u64(*x)
    }
}

/// Kinds by name, as a JSON object's keys are ordered.
struct KindsJson<'a> {
    m: &'a Model,
    list: &'a [Worst],
}

impl serde::Serialize for KindsJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut list: Vec<&Worst> = self.list.iter().collect();
        list.sort_by_key(|w| w.kind.singular());
        s.collect_map(list.into_iter().map(|w| {
            (
                w.kind.singular(),
                KindJson {
                    seconds: w.seconds,
                    target: w.target,
                    unit: w.unit.filter(|_| w.seconds > 0).map(|u| self.m.name(u)),
                },
            )
        }))
    }
}

#[derive(serde::Serialize)]
struct ServiceJson<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    rpo: Option<KindsJson<'a>>,
    rto: KindsJson<'a>,
}

/// Services by id in byte order, as a JSON object's keys are ordered.
struct ServicesJson<'a> {
    m: &'a Model,
    t: &'a Table,
}

impl serde::Serialize for ServicesJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let m = self.m;
        let mut list: Vec<_> = self.t.services.iter().collect();
        list.sort_by(|a, b| m.name(a.service).cmp(m.name(b.service)));
        s.collect_map(list.into_iter().map(|so| {
            (
                m.name(so.service),
                ServiceJson {
                    rpo: so.rpo.as_deref().map(|list| KindsJson { m, list }),
                    rto: KindsJson { m, list: &so.rto },
                },
            )
        }))
    }
}

#[derive(serde::Serialize)]
struct TableJson<'a> {
    services: ServicesJson<'a>,
}

/// `{"services": {"<id>": {"rto": {"<kind>": {"seconds", "unit",
/// "target"}}, "rpo": ...}}}` as pretty JSON with a final newline, written
/// straight to `w`: on a 100k estate the text is tens of MB, and a
/// `serde_json::Value` of it took more time and memory than the analysis
/// that fills it.
pub fn write_json(m: &Model, t: &Table, w: &mut dyn Write) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::with_capacity(1 << 16, w);
    serde_json::to_writer_pretty(
        &mut w,
        &TableJson {
            services: ServicesJson { m, t },
        },
    )?;
    w.write_all(b"\n")?;
    w.flush()
}

fn status(w: &Worst) -> &'static str {
    match w.target {
        None => "",
        Some(t) if w.seconds > t => "breached",
        Some(_) => "met",
    }
}

fn target_text(t: Option<u64>) -> String {
    t.map_or("-".into(), dur)
}

pub fn human(a: &Analysis, t: &Table) -> String {
    let m = a.model;
    let cols = context::width();
    let s = a.recovery_setup();
    let width = column_width(t.services.iter().map(|x| m.name(x.service).len()));
    let mut out = String::new();
    let head = format!(
        "{:<width$}  {:<9}  {:>9}  {:<20}  target",
        "service", "failure", "down for", "worst unit"
    );
    out.push_str(&terminal::fill(&head, cols, "", &" ".repeat(width + 2)));
    let mut breached = 0;
    for so in &t.services {
        let name = m.name(so.service);
        for (what, list) in [("rto", Some(&so.rto)), ("rpo", so.rpo.as_ref())] {
            let Some(list) = list else { continue };
            for w in list {
                let label = if what == "rto" {
                    w.kind.singular().to_owned()
                } else {
                    format!("{} data", w.kind.singular())
                };
                let st = status(w);
                if st == "breached" {
                    breached += 1;
                }
                let row = format!(
                    "{name:<width$}  {label:<9}  {:>9}  {:<20}  {}{}",
                    if what == "rpo" && w.seconds == NEVER {
                        "all lost".into()
                    } else {
                        dur(w.seconds)
                    },
                    w.unit.filter(|_| w.seconds > 0).map_or("-", |u| m.name(u)),
                    target_text(w.target),
                    if st.is_empty() {
                        String::new()
                    } else {
                        format!(" {st}")
                    },
                );
                // A row of long ids wraps under its failure column rather
                // than run past the terminal.
                if terminal::columns(&row) > cols {
                    out.push_str(&terminal::fill(&row, cols, "", &" ".repeat(width + 2)));
                } else {
                    out.push_str(&row);
                    out.push('\n');
                }
            }
        }
        // The worst case of all, step by step.
        if let Some(w) = so
            .rto
            .iter()
            .filter(|w| w.seconds > 0)
            .max_by_key(|w| w.seconds)
            && let Some(u) = w.unit
            && let Ok(st) = story(s, u, so.service)
        {
            // Under the failure column, unless long service ids leave the
            // story too little room: then a small indent of its own.
            let at = if width + 6 > cols / 2 { 2 } else { width + 2 };
            let lead = " ".repeat(at);
            out.push_str(&terminal::fill(
                &format!("worst case, {} fails:", m.name(u)),
                cols,
                &lead,
                &lead,
            ));
            let (lead, rest) = (" ".repeat(at + 2), " ".repeat(at + 4));
            for step in timeline(s, u, so.service, &st) {
                out.push_str(&terminal::fill(&step, cols, &lead, &rest));
            }
        }
    }
    let with_targets = t
        .services
        .iter()
        .filter(|so| {
            so.rto
                .iter()
                .chain(so.rpo.iter().flatten())
                .any(|w| w.target.is_some())
        })
        .count();
    out.push_str(&format!(
        "\n{} services; {with_targets} with targets; {breached} targets breached\n",
        t.services.len()
    ));
    out
}

pub fn markdown(m: &Model, t: &Table) -> String {
    let mut out = String::from(
        "| service | objective | failure | worst | unit | target | status |\n|---|---|---|---:|---|---:|---|\n",
    );
    for so in &t.services {
        for (what, list) in [("RTO", Some(&so.rto)), ("RPO", so.rpo.as_ref())] {
            let Some(list) = list else { continue };
            for w in list {
                out.push_str(&format!(
                    "| `{}` | {what} | {} | {} | {} | {} | {} |\n",
                    m.name(so.service),
                    w.kind.singular(),
                    dur(w.seconds),
                    w.unit
                        .filter(|_| w.seconds > 0)
                        .map_or("-".into(), |u| format!("`{}`", m.name(u))),
                    target_text(w.target),
                    match status(w) {
                        "breached" => ":x: breached",
                        "met" => ":white_check_mark: met",
                        _ => "",
                    }
                ));
            }
        }
    }
    out
}

/// The worst case as steps: "h12 fails (repaired after 4h)", "pay-1 ran
/// on h12; restarts on another host of c1 after 5m: back at 5m",
/// "payments needs 1 of 2: back at 5m". Only what comes back by the time
/// the service does: later returns do not hold it up.
pub fn timeline(s: &Setup, unit: EntityId, svc: EntityId, st: &Story) -> Vec<String> {
    let m = s.model;
    let at = |x: EntityId| {
        st.steps
            .iter()
            .find(|(y, _)| *y == x)
            .map_or(0, |(_, r)| *r)
    };
    let mut parts = vec![format!(
        "{} fails (repaired after {})",
        m.name(unit),
        dur(s.repair[unit as usize])
    )];
    for &(x, r) in &st.steps {
        if x == unit || r > st.seconds {
            continue;
        }
        let e = m.get(x);
        let name = &e.id;
        let text = if e.kind() == Kind::Service {
            let k = e.min_healthy.max(1) as usize;
            let n = e.instances.len();
            let lost: Vec<&str> = e
                .instances
                .iter()
                .filter(|&&i| at(i) > 0)
                .map(|&i| m.name(i))
                .collect();
            let deps_back = e
                .depends_on
                .iter()
                .chain(&e.requires)
                .map(|&d| at(d))
                .max()
                .unwrap_or(0);
            if lost.len() <= n.saturating_sub(k) && r == s.failover[x as usize] && r > deps_back {
                format!(
                    "{name} loses {} and fails over to the others in {}: back at {}",
                    lost.join(", "),
                    dur(s.failover[x as usize]),
                    dur(r)
                )
            } else {
                format!("{name} needs {k} of {n} instances: back at {}", dur(r))
            }
        } else if let Some(cl) = s.floating_cluster(x) {
            let placed = st.placement.iter().find(|(v, _)| *v == x).map(|(_, b)| *b);
            match (placed, s.restart[cl as usize]) {
                (Some(Bin::Host(p)), Some(rt)) => format!(
                    "{name} ran on {}; HA restarts it on another host of {} after {}: back at {}",
                    m.name(p),
                    m.name(cl),
                    dur(rt),
                    dur(r)
                ),
                (Some(Bin::Host(p)), None) => format!(
                    "{name} ran on {} and waits for it ({} has no HA restart): back at {}",
                    m.name(p),
                    m.name(cl),
                    dur(r)
                ),
                _ => format!("{name} back at {}", dur(r)),
            }
        } else {
            format!("{name} back at {}", dur(r))
        };
        parts.push(text);
    }
    if st.seconds == 0 {
        parts.push(format!("{} is not hurt", m.name(svc)));
    }
    parts
}

/// The unit `--fail` names: a failure unit that is not a service.
fn resolve(model: &Model, id: &str) -> Result<EntityId, InputError> {
    match model.lookup(id) {
        Some(x) if model.get(x).kind() == Kind::Cluster => {
            let hosts: Vec<&str> = model.cluster_hosts[x as usize].iter().map(|&h| model.name(h)).collect();
            Err(InputError::plain(
                "usage",
                format!("--fail `{id}`: a cluster is not a failure unit"),
            )
            .help(if hosts.is_empty() {
                "fail one of its hosts".to_owned()
            } else {
                format!("fail one of its hosts: {}", hosts.join(", "))
            }))
        }
        Some(x) if model.get(x).kind() == Kind::Service => Err(InputError::plain(
            "usage",
            format!("--fail `{id}`: a service does not fail on its own here"),
        )
        .help("fail a unit it runs on (a vm, host, rack...); the recovery of services is what this command reports")),
        Some(x) => Ok(x),
        None => {
            let e = InputError::plain("unknown-id", format!("--fail `{id}`: no entity has this id"));
            Err(match did_you_mean(id, model.entities.iter().map(|e| e.id.as_str())) {
                Some(s) => e.help(format!("did you mean `{s}`?")),
                None => e,
            })
        }
    }
}

pub fn one_json(m: &Model, rows: &[(EntityId, u64, Option<u64>)]) -> Value {
    let mut services = Map::new();
    for &(s, rto, rpo) in rows {
        let mut o = Map::new();
        o.insert("rto".into(), json_seconds(rto));
        if let Some(p) = rpo {
            o.insert("rpo".into(), json_seconds(p));
        }
        services.insert(m.name(s).to_owned(), Value::Object(o));
    }
    json!({ "services": services })
}

fn one_human(a: &Analysis, u: EntityId, rows: &[(EntityId, u64, Option<u64>)]) -> String {
    let m = a.model;
    let s = a.recovery_setup();
    let width = column_width(rows.iter().map(|(x, _, _)| m.name(*x).len()));
    let mut out = format!("when {} fails:\n\n", m.name(u));
    out.push_str(&format!(
        "{:<width$}  {:>9}  {:>9}\n",
        "service", "down for", "data lost"
    ));
    for &(x, rto, rpo) in rows {
        out.push_str(&format!(
            "{:<width$}  {:>9}  {:>9}\n",
            m.name(x),
            dur(rto),
            rpo.map_or("-".into(), |p| if p == NEVER {
                "all".into()
            } else {
                dur(p)
            })
        ));
    }
    let hurt: Vec<_> = rows.iter().filter(|(_, r, _)| *r > 0).collect();
    if !hurt.is_empty() {
        out.push('\n');
        for &&(x, _, _) in &hurt {
            if let Ok(st) = story(s, u, x) {
                out.push_str(&format!("{}:\n", m.name(x)));
                for step in timeline(s, u, x, &st) {
                    out.push_str(&terminal::fill(&step, context::width(), "  ", "    "));
                }
            }
        }
    }
    out
}

fn one_markdown(m: &Model, u: EntityId, rows: &[(EntityId, u64, Option<u64>)]) -> String {
    let mut out = format!(
        "When `{}` fails:\n\n| service | down for | data lost |\n|---|---:|---:|\n",
        m.name(u)
    );
    for &(x, rto, rpo) in rows {
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            m.name(x),
            dur(rto),
            rpo.map_or("-".into(), dur)
        ));
    }
    out
}

pub fn run(input: &Input, fail: Option<&str>, format: RecoveryFormat) -> Result<i32, i32> {
    let Prepared { model, config, .. } = context::load(input)?;
    let a = context::analysis(&model, &config, input)?;
    if let Some(id) = fail {
        let u = resolve(&model, id)
            .map_err(|e| context::report_errors(&model.sources, &[e], input.no_color))?;
        let rows = a
            .recovery_setup()
            .one(u)
            .map_err(|e| context::too_large(&e, input.no_color))?;
        context::out(&match format {
            RecoveryFormat::Json => json::to_string(&one_json(&model, &rows)),
            RecoveryFormat::Human => one_human(&a, u, &rows),
            RecoveryFormat::Markdown => one_markdown(&model, u, &rows),
        });
        return Ok(exit::CLEAN);
    }
    let t = a
        .recovery()
        .map_err(|e| context::too_large(&e, input.no_color))?;
    match format {
        RecoveryFormat::Json => {
            // A closed pipe (`| head`) is not an error worth a panic.
            let _ = write_json(&model, t, &mut std::io::stdout().lock());
        }
        RecoveryFormat::Human => context::out(&human(&a, t)),
        RecoveryFormat::Markdown => context::out(&markdown(&model, t)),
    }
    Ok(exit::CLEAN)
}
