//! `faultline risks`: every failure unit ranked by the service downtime it
//! accounts for. For a unit u, the sum over every service S that is up,
//! over S's minimal cut sets of up to K units that contain u, of the
//! probability that the whole cut set is down at once. A unit that is a
//! single point of failure of ten services counts ten times; a unit in a
//! pair counts that pair's (much smaller) share. This is the list a team
//! lead asks for: which few things, fixed first, remove the most downtime.

use super::context::{self, Input};
use crate::analysis::Analysis;
use crate::analysis::availability::cut_unavailability;
use crate::check::prepare::Prepared;
use crate::engine::{CutSets, TooLarge};
use crate::exit;
use crate::model::{EntityId, Model};
use crate::report::terminal::{self, Align, Style, Table};
use serde::Serialize;
use std::io::Write;

/// Hours in a (Julian) year: unavailability times this is hours of
/// downtime per year.
pub const HOURS_PER_YEAR: f64 = 8766.0;

/// Services computed together (in parallel) before they are added up.
const CHUNK: usize = 2048;

pub struct Risk {
    pub unit: EntityId,
    /// Service unavailability the unit takes part in (a sum over
    /// services, so it may exceed what any one service loses).
    pub unavailability: f64,
    /// Services with a cut set holding the unit, sorted by id.
    pub services: Vec<EntityId>,
}

/// Every unit with a share, largest first, then by id.
pub fn compute(a: &Analysis, order: usize) -> Result<Vec<Risk>, TooLarge> {
    use rayon::prelude::*;
    let m = a.model;
    let cuts = a.cuts(order)?;
    let mut services: Vec<EntityId> = a.services().filter(|&s| a.is_up(s)).collect();
    m.sort_by_name(&mut services);
    let mut share = vec![0.0f64; m.len()];
    let mut hit: Vec<Vec<EntityId>> = vec![Vec::new(); m.len()];
    for chunk in services.chunks(CHUNK) {
        let parts: Vec<Vec<(EntityId, f64)>> = chunk
            .par_iter()
            .map(|&s| contributions(a, cuts, s))
            .collect();
        // Added in service order, so the sums are the same bits whatever
        // the threads did.
        for (&s, part) in chunk.iter().zip(parts) {
            for (u, p) in part {
                share[u as usize] += p;
                if hit[u as usize].last() != Some(&s) {
                    hit[u as usize].push(s);
                }
            }
        }
    }
    let mut out: Vec<Risk> = hit
        .into_iter()
        .enumerate()
        .filter(|(_, svcs)| !svcs.is_empty())
        .map(|(u, mut svcs)| {
            m.sort_by_name(&mut svcs);
            Risk {
                unit: u as EntityId,
                unavailability: share[u],
                services: svcs,
            }
        })
        .collect();
    out.sort_by(|x, y| {
        y.unavailability
            .total_cmp(&x.unavailability)
            .then_with(|| m.name(x.unit).cmp(m.name(y.unit)))
    });
    Ok(out)
}

/// (unit, probability of the cut set) for every member of every cut set of
/// `s`.
fn contributions(a: &Analysis, cuts: &CutSets, s: EntityId) -> Vec<(EntityId, f64)> {
    let mut v = Vec::new();
    for c in cuts.family(s) {
        let p = cut_unavailability(a.model, &a.defaults, c.members());
        v.extend(c.members().iter().map(|&u| (u, p)));
    }
    v
}

#[derive(Serialize)]
struct JsonRisk<'a> {
    id: &'a str,
    unavailability: f64,
    services: Vec<&'a str>,
}

#[derive(Serialize)]
struct JsonRisks<'a> {
    units: Vec<JsonRisk<'a>>,
}

pub fn write_json(m: &Model, risks: &[Risk], w: &mut dyn Write) -> std::io::Result<()> {
    let doc = JsonRisks {
        units: risks
            .iter()
            .map(|r| JsonRisk {
                id: m.name(r.unit),
                unavailability: r.unavailability,
                services: r.services.iter().map(|&s| m.name(s)).collect(),
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *w, &doc)?;
    w.write_all(b"\n")
}

/// "a, b, c and 12 more".
fn some_names(m: &Model, ids: &[EntityId], shown: usize) -> String {
    let names: Vec<&str> = ids.iter().take(shown).map(|&s| m.name(s)).collect();
    match ids.len().saturating_sub(shown) {
        0 => names.join(", "),
        more => format!("{} and {more} more", names.join(", ")),
    }
}

/// Service-hours per year, readable at any size.
fn hours(x: f64) -> String {
    let h = x * HOURS_PER_YEAR;
    if h >= 10.0 {
        format!("{h:.0}")
    } else if h >= 0.01 {
        format!("{h:.2}")
    } else {
        format!("{h:.1e}")
    }
}

pub fn human(a: &Analysis, risks: &[Risk], order: usize, top: usize, style: Style) -> String {
    let m = a.model;
    if risks.is_empty() {
        return terminal::fill(
            &format!("no unit is in a minimal cut set of up to {order} units of any service"),
            style.width,
            "",
            "  ",
        );
    }
    let shown = &risks[..risks.len().min(top)];
    let mut t = Table::new(
        &[
            ("rank", Align::Right),
            ("unit", Align::Left),
            ("kind", Align::Left),
            ("svc-hours/yr", Align::Right),
        ],
        "services hit",
    );
    for (i, r) in shown.iter().enumerate() {
        let names: Vec<&str> = r.services.iter().map(|&s| m.name(s)).collect();
        t.row(
            vec![
                (i + 1).to_string(),
                style.id(m.name(r.unit)),
                m.get(r.unit).kind().singular().to_owned(),
                hours(r.unavailability),
            ],
            terminal::some_pieces(&names, 4),
        );
    }
    let mut s = t.render(style);
    if risks.len() > shown.len() {
        s.push('\n');
        s.push_str(&terminal::fill(
            &format!(
                "... and {} more units (`--top N` shows more, `--format json` all)",
                risks.len() - shown.len()
            ),
            style.width,
            "",
            "  ",
        ));
    }
    s.push('\n');
    s.push_str(&style.dim(&terminal::fill(
        &format!("svc-hours/yr: expected hours per year that services are down through minimal cut sets of up to {order} units holding the unit, summed over the services it hits"),
        style.width,
        "",
        "  ",
    )));
    s
}

/// A Markdown table for job summaries and pull-request comments.
pub fn markdown(a: &Analysis, risks: &[Risk], order: usize, top: usize) -> String {
    let m = a.model;
    let mut s = String::from("## faultline: what to fix first\n\n");
    if risks.is_empty() {
        s.push_str(&format!(
            "No unit is in a minimal cut set of up to {order} units of any service.\n"
        ));
        return s;
    }
    s.push_str(
        "| rank | unit | kind | service-hours / year | services hit |\n|---:|---|---|---:|---|\n",
    );
    for (i, r) in risks.iter().take(top).enumerate() {
        s.push_str(&format!(
            "| {} | `{}` | {} | {} | {} |\n",
            i + 1,
            m.name(r.unit).replace('|', "\\|").replace('`', "'"),
            m.get(r.unit).kind().singular(),
            hours(r.unavailability),
            some_names(m, &r.services, 6).replace('|', "\\|")
        ));
    }
    if risks.len() > top {
        s.push_str(&format!("\n{} more units not shown.\n", risks.len() - top));
    }
    s.push_str(&format!(
        "\nService-hours per year: expected downtime of the services through minimal cut sets of up to {order} units that hold the unit, from each unit's availability (independent failures).\n"
    ));
    s
}

/// `faultline risks --format`.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum RisksFormat {
    Human,
    Json,
    /// A Markdown table, for $GITHUB_STEP_SUMMARY and pull-request comments.
    Markdown,
}

pub fn run(input: &Input, order: usize, top: usize, format: RisksFormat) -> Result<i32, i32> {
    let Prepared { model, config, .. } = context::load(input)?;
    let a = context::analysis(&model, &config, input)?;
    let risks = compute(&a, order).map_err(|e| context::too_large(&e, input.no_color))?;
    match format {
        RisksFormat::Json => {
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::new(stdout.lock());
            let _ = write_json(&model, &risks, &mut w).and_then(|_| w.flush());
        }
        RisksFormat::Human => context::out(&human(
            &a,
            &risks,
            order,
            top,
            context::style(input.no_color),
        )),
        RisksFormat::Markdown => context::out(&markdown(&a, &risks, order, top)),
    }
    Ok(exit::CLEAN)
}
