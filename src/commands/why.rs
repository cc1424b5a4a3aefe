//! `faultline why --service S [--unit U]`: how each single point of
//! failure of one service takes it down, step by step, each step at its
//! definition (the failure paths of `paths.rs`, all of them, for the
//! engineer at a terminal).
//!
//! With `--unit`, the one chain of that unit. A unit that is not a single
//! point of failure is an answer, not an error (exit 0): it says so and
//! names the pairs of failures it is part of, with the chain under the
//! first of them, or says that the service does not depend on it at all.

use super::context::{self, DataFormat, Input};
use crate::analysis::Analysis;
use crate::analysis::paths::{Chain, Request};
use crate::check::prepare::Prepared;
use crate::exit;
use crate::input::diag::{InputError, did_you_mean};
use crate::model::{EntityId, Kind, Model};
use crate::report::terminal::{self, Style};
use crate::report::{chains, json, place};
use serde_json::{Value, json};

/// Pairs listed for a unit that is not a single point of failure.
const MAX_PAIRS_SHOWN: usize = 10;

/// Steps listed per chain; a longer one shows its first and last steps.
const MAX_STEPS_LISTED: usize = 100;

/// How deep the chains of other members of a group are followed: a
/// member's own chain can pass another group, whose members are traced
/// in turn.
const MAX_SIBLING_DEPTH: usize = 3;

/// What `why` found.
pub struct Why {
    pub service: EntityId,
    /// UP with nothing failed (otherwise there is nothing to trace).
    pub up: bool,
    pub unit: Option<EntityId>,
    /// The unit alone takes the service down (with `--unit`).
    pub spof: bool,
    /// The service reads the unit, directly or not (with `--unit`).
    pub depends: bool,
    /// Minimal pairs holding the unit (with `--unit`, when not a SPOF).
    pub pairs: Vec<Vec<EntityId>>,
    pub chains: Vec<Chain>,
    /// Per chain (same index): the other members that are down in a group
    /// the chain passes (the other instances of a service that needs k of
    /// n), each with its own chain from the culprit, keyed by the index of
    /// the step it stands beside.
    pub siblings: Vec<Vec<Sibling>>,
}

/// Another member of a group that is down, and how it got there.
pub struct Sibling {
    /// The index, in the chain it belongs to, of the member it stands
    /// beside.
    pub at: usize,
    pub chain: Chain,
    /// Down members of the same group beyond those traced.
    pub more: u32,
    /// Its own siblings, for groups its chain passes.
    pub siblings: Vec<Sibling>,
}

pub fn compute(
    a: &Analysis,
    service: EntityId,
    unit: Option<EntityId>,
) -> Result<Why, crate::analysis::paths::TooLong> {
    let m = a.model;
    let up = a.is_up(service);
    let mut why = Why {
        service,
        up,
        unit,
        spof: false,
        depends: false,
        pairs: Vec::new(),
        chains: Vec::new(),
        siblings: Vec::new(),
    };
    if !up {
        return Ok(why);
    }
    let spofs = a.spofs(service);
    let requests: Vec<Request> = match unit {
        None => spofs
            .iter()
            .map(|&u| Request {
                culprit: u,
                cut: Vec::new(),
                subject: service,
            })
            .collect(),
        Some(u) => {
            why.spof = spofs.contains(&u);
            why.depends = crate::analysis::graph::reach(&a.circuit, service).contains(&u);
            if why.spof {
                vec![Request {
                    culprit: u,
                    cut: Vec::new(),
                    subject: service,
                }]
            } else {
                if why.depends
                    && let Ok(cs) = a.cuts(2)
                {
                    why.pairs = crate::engine::by_name(m, &cs.family(service))
                        .into_iter()
                        .filter(|c| c.len() == 2 && c.contains(&u))
                        .collect();
                }
                why.pairs
                    .first()
                    .map(|c| Request {
                        culprit: u,
                        cut: c.clone(),
                        subject: service,
                    })
                    .into_iter()
                    .collect()
            }
        }
    };
    why.chains = crate::analysis::paths::trace(a, &requests)?
        .into_iter()
        .flatten()
        .collect();
    why.siblings = why
        .chains
        .iter()
        .map(|ch| siblings(a, ch, MAX_SIBLING_DEPTH))
        .collect::<Result<_, _>>()?;
    Ok(why)
}

/// The chains of the other down members of every group `ch` passes (one
/// instance's chain does not say why the other instances are down: a SAN
/// in the failed rack takes the hosts of the other rack too).
fn siblings(
    a: &Analysis,
    ch: &Chain,
    depth: usize,
) -> Result<Vec<Sibling>, crate::analysis::paths::TooLong> {
    if depth == 0 {
        return Ok(Vec::new());
    }
    let mut wanted = Vec::new();
    for (i, l) in ch.links.iter().enumerate() {
        // links[i] says how steps[i + 1] gave way, beside steps[i].
        let more = l.down.saturating_sub(1 + l.peers.len() as u32);
        for (k, &p) in l.peers.iter().enumerate() {
            let last = k + 1 == l.peers.len();
            wanted.push((i, p, if last { more } else { 0 }));
        }
    }
    // Under a pair of failures a member may be down through the other
    // one: every failed unit is a source, the culprit first.
    let sources: Vec<EntityId> = std::iter::once(ch.culprit)
        .chain(ch.cut.iter().copied().filter(|&x| x != ch.culprit))
        .collect();
    let requests: Vec<Request> = wanted
        .iter()
        .flat_map(|&(_, p, _)| {
            sources.iter().map(move |&src| Request {
                culprit: src,
                cut: ch.cut.clone(),
                subject: p,
            })
        })
        .collect();
    let mut found = crate::analysis::paths::trace(a, &requests)?.into_iter();
    let mut out = Vec::new();
    for (at, _, more) in wanted {
        let first = found.by_ref().take(sources.len()).flatten().next();
        let Some(chain) = first else { continue };
        let nested = siblings(a, &chain, depth - 1)?;
        out.push(Sibling {
            at,
            chain,
            more,
            siblings: nested,
        });
    }
    Ok(out)
}

/// Where a sibling's chain leaves the chain it stands beside: the steps
/// they share are not repeated.
fn fork(main: &Chain, sib: &Chain) -> usize {
    main.steps
        .iter()
        .zip(&sib.steps)
        .take_while(|(x, y)| x == y)
        .count()
        .min(sib.steps.len().saturating_sub(1))
}

/// Step `i` of a chain as JSON: id, kind, why it is down, where.
fn step_json(m: &Model, ch: &Chain, i: usize) -> Value {
    let x = ch.steps[i];
    json!({
        "id": m.name(x),
        "kind": m.get(x).kind().singular(),
        "why": chains::step(m, ch, i),
        "location": json::location(m, x),
    })
}

/// A chain's steps as JSON; a step beside which other members of its
/// group are down lists them under `also_down`, each with the steps of its
/// own chain from where it leaves this one.
fn steps_json(m: &Model, ch: &Chain, sibs: &[Sibling]) -> Vec<Value> {
    (0..ch.steps.len())
        .map(|i| {
            let mut v = step_json(m, ch, i);
            let here: Vec<Value> = sibs
                .iter()
                .filter(|s| s.at == i)
                .map(|s| {
                    let from = fork(ch, &s.chain);
                    let all = steps_json(m, &s.chain, &s.siblings);
                    let mut o = json!({
                        "id": m.name(*s.chain.steps.last().expect("a chain has steps")),
                        "steps": all[from..],
                    });
                    if s.more > 0 {
                        o["more_down"] = json!(s.more);
                    }
                    o
                })
                .collect();
            if !here.is_empty() {
                v["also_down"] = Value::Array(here);
            }
            v
        })
        .collect()
}

pub fn to_json(m: &Model, w: &Why) -> Value {
    let mut paths = serde_json::Map::new();
    let mut steps = serde_json::Map::new();
    for (ci, ch) in w.chains.iter().enumerate() {
        let name = m.name(ch.culprit).to_owned();
        let ids: Vec<&str> = ch.steps.iter().map(|&x| m.name(x)).collect();
        paths.insert(name.clone(), json!(ids));
        let sibs = w.siblings.get(ci).map_or(&[][..], Vec::as_slice);
        steps.insert(name, Value::Array(steps_json(m, ch, sibs)));
    }
    let mut v = json!({
        "service": m.name(w.service),
        "up": w.up,
        "paths": paths,
        "steps": steps,
    });
    if let Some(u) = w.unit {
        v["unit"] = json!(m.name(u));
        v["spof"] = json!(w.spof);
        v["depends"] = json!(w.depends);
        let pairs: Vec<Vec<&str>> = w
            .pairs
            .iter()
            .map(|c| c.iter().map(|&x| m.name(x)).collect())
            .collect();
        v["pairs"] = json!(pairs);
        if let Some(ch) = w.chains.first().filter(|ch| !ch.cut.is_empty()) {
            v["path_cut_set"] = json!(ch.cut.iter().map(|&x| m.name(x)).collect::<Vec<_>>());
        }
    }
    v
}

/// One chain: its compact line, then each step with where it is defined,
/// and beside a member of a group the chains of the group's other down
/// members.
fn chain_text(m: &Model, ch: &Chain, sibs: &[Sibling], style: Style) -> String {
    let w = style.width;
    let mut s = chains::wrapped(&chains::compact(m, ch), 0, 2, w);
    s.push('\n');
    let n = ch.steps.len();
    let (head, tail) = chains::ends(n, MAX_STEPS_LISTED);
    let width = n.to_string().len();
    for i in (0..head).chain(n - tail..n) {
        if tail > 0 && i == n - tail {
            s.push_str(&format!(
                "  {:>width$}  ... {} more steps\n",
                "",
                n - head - tail
            ));
        }
        let at = place::of_entity(m, ch.steps[i]).short();
        let lead = format!("  {:>width$}. ", i + 1);
        let text = format!(
            "{} {}",
            crate::input::diag::cut_long_ids(&chains::step(m, ch, i)),
            style.dim(&format!("({at})"))
        );
        s.push_str(&terminal::fill(&text, w, &lead, &" ".repeat(lead.len())));
        sibling_text(m, ch, sibs, i, 4 + width, style, &mut s);
    }
    s
}

/// The chains of the members down beside step `i`, indented under it and
/// unnumbered: each step that is not already on the chain above.
fn sibling_text(
    m: &Model,
    ch: &Chain,
    sibs: &[Sibling],
    i: usize,
    indent: usize,
    style: Style,
    s: &mut String,
) {
    for sib in sibs.iter().filter(|x| x.at == i) {
        let from = fork(ch, &sib.chain);
        for j in from..sib.chain.steps.len() {
            let at = place::of_entity(m, sib.chain.steps[j]).short();
            let text = format!(
                "{} {}",
                crate::input::diag::cut_long_ids(&chains::step(m, &sib.chain, j)),
                style.dim(&format!("({at})"))
            );
            let lead = " ".repeat(indent);
            s.push_str(&terminal::fill(
                &text,
                style.width,
                &lead,
                &format!("{lead}  "),
            ));
            sibling_text(m, &sib.chain, &sib.siblings, j, indent + 2, style, s);
        }
        if sib.more > 0 {
            let lead = " ".repeat(indent);
            s.push_str(&terminal::fill(
                &format!(
                    "... and {} more down the same way (`faultline impact --fail {}` lists them)",
                    sib.more,
                    m.name(ch.culprit)
                ),
                style.width,
                &lead,
                &format!("{lead}  "),
            ));
        }
    }
}

fn named(m: &Model, x: EntityId) -> String {
    crate::input::diag::cut_long_ids(&format!("`{}`", m.name(x))).into_owned()
}

pub fn human(m: &Model, w: &Why, style: Style) -> String {
    let svc = named(m, w.service);
    if !w.up {
        return terminal::fill(
            &format!(
                "service {svc} is down even with nothing failed (see `faultline explain never-healthy`): there is no failure to trace"
            ),
            style.width,
            "",
            "  ",
        );
    }
    let mut s = String::new();
    match w.unit {
        None if w.chains.is_empty() => {
            s.push_str(&format!(
                "service {svc} has no single point of failure: no one unit takes it down\n"
            ));
        }
        None => {
            let n = w.chains.len();
            s.push_str(&format!(
                "service {svc} goes down if any one of {n} unit{} fails:\n",
                if n == 1 { "" } else { "s" }
            ));
        }
        Some(u) if w.spof => {
            s.push_str(&format!(
                "{} takes service {svc} down on its own:\n",
                named(m, u)
            ));
        }
        Some(u) if !w.depends => {
            s.push_str(&format!(
                "service {svc} does not depend on {}: its failure leaves the service up\n",
                named(m, u)
            ));
        }
        Some(u) if w.pairs.is_empty() => {
            s.push_str(&format!(
                "{} is not a single point of failure of service {svc}, nor part of a minimal pair of failures that takes it down (`faultline cuts --max-order 3` looks further)\n",
                named(m, u)
            ));
        }
        Some(u) => {
            let shown: Vec<String> = w
                .pairs
                .iter()
                .take(MAX_PAIRS_SHOWN)
                .map(|c| {
                    c.iter()
                        .map(|&x| named(m, x))
                        .collect::<Vec<_>>()
                        .join(" + ")
                })
                .collect();
            let more = w.pairs.len().saturating_sub(MAX_PAIRS_SHOWN);
            s.push_str(&format!(
                "{} is not a single point of failure of service {svc}: it takes it down together with one more failure, in {} pair{}: {}{}\n",
                named(m, u),
                w.pairs.len(),
                if w.pairs.len() == 1 { "" } else { "s" },
                shown.join(", "),
                if more > 0 { format!(" and {more} more") } else { String::new() }
            ));
        }
    }
    // The headline, filled to the width.
    let mut s = terminal::fill(s.trim_end(), style.width, "", "  ");
    for (ci, ch) in w.chains.iter().enumerate() {
        s.push('\n');
        let sibs = w.siblings.get(ci).map_or(&[][..], Vec::as_slice);
        s.push_str(&chain_text(m, ch, sibs, style));
    }
    s
}

/// The `--unit` id as a failure unit: unknown ids are errors with the
/// nearest id, and so are clusters and services (they never fail as such).
fn resolve_unit(model: &Model, id: &str) -> Result<EntityId, InputError> {
    match model.lookup(id) {
        Some(x) => match model.get(x).kind() {
            k @ (Kind::Cluster | Kind::Service) => Err(InputError::plain(
                "usage",
                format!("--unit `{id}` is a {}, not a failure unit", k.singular()),
            )
            .help(if k == Kind::Service {
                "services are never culprits: the units under them are; leave out --unit to see them all"
            } else {
                "a cluster never fails as such: name one of its hosts"
            })),
            _ => Ok(x),
        },
        None => {
            let e = InputError::plain("unknown-id", format!("--unit `{id}`: no entity has this id"));
            Err(
                match did_you_mean(id, model.entities.iter().map(|e| e.id.as_str())) {
                    Some(s) => e.help(format!("did you mean `{s}`?")),
                    None => e,
                },
            )
        }
    }
}

pub fn run(
    input: &Input,
    service: &str,
    unit: Option<&str>,
    format: DataFormat,
) -> Result<i32, i32> {
    let Prepared { model, config, .. } = context::load(input)?;
    let mut errors = Vec::new();
    let s = context::lookup_service(&model, service).map_err(|e| errors.push(e));
    let u = unit
        .map(|id| resolve_unit(&model, id).map_err(|e| errors.push(e)))
        .transpose();
    let (Ok(s), Ok(u)) = (s, u) else {
        return Err(context::report_errors(
            &model.sources,
            &errors,
            input.no_color,
        ));
    };
    let a = context::analysis(&model, &config, input)?;
    let w = compute(&a, s, u).map_err(|e| {
        context::report_errors(
            &model.sources,
            &[InputError::plain(
                "analysis-limit",
                format!("the failure paths of `{service}` are too long: {e}"),
            )
            .help("ask about one unit with `--unit ID`")],
            input.no_color,
        );
        exit::ANALYSIS_LIMIT
    })?;
    // With one unit: for how long it takes the service down (FORMAT §8),
    // step by step in the worst placement.
    let story = u
        .filter(|&x| model.get(x).kind() != crate::model::Kind::Service && a.is_up(s))
        .and_then(|x| {
            crate::analysis::recovery::place::story(a.recovery_setup(), x, s)
                .ok()
                .map(|st| (x, st))
        });
    context::out(&match format {
        DataFormat::Json => {
            let mut v = to_json(&model, &w);
            if let Some((_, st)) = &story {
                v["recovery"] = serde_json::json!({
                    "seconds": crate::analysis::recovery::json_seconds(st.seconds),
                    "steps": st.steps.iter().filter(|(_, r)| *r <= st.seconds).map(|&(x, r)| serde_json::json!({
                        "id": model.name(x),
                        "back_at": crate::analysis::recovery::json_seconds(r),
                    })).collect::<Vec<_>>(),
                });
            }
            json::to_string(&v)
        }
        DataFormat::Human => {
            let style = context::style(input.no_color);
            let mut out = human(&model, &w, style);
            if let Some((x, st)) = &story {
                out.push('\n');
                out.push_str(&terminal::fill(
                    &format!(
                        "recovery: when `{}` fails, `{}` is down for {} (worst placement of its vms):",
                        model.name(*x),
                        model.name(s),
                        crate::analysis::recovery::human(st.seconds)
                    ),
                    style.width,
                    "",
                    "  ",
                ));
                for step in crate::commands::recovery::timeline(a.recovery_setup(), *x, s, st) {
                    out.push_str(&terminal::fill(&step, style.width, "  ", "    "));
                }
            }
            out
        }
    });
    Ok(exit::CLEAN)
}
