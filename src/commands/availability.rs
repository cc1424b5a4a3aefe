//! `faultline availability`: each service's estimated availability against
//! its SLO, from its minimal cut sets of up to K units.

use super::context::{self, DataFormat, Input};
use crate::analysis::Analysis;
use crate::analysis::availability::Estimate;
use crate::check::prepare::Prepared;
use crate::exit;
use crate::report::json;
use crate::report::terminal::{self, Align, Style, Table};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

pub fn to_json(a: &Analysis, estimates: &[Option<Estimate>]) -> Value {
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

/// Downtime per year in the unit that reads best.
pub fn downtime(unavailability: f64) -> String {
    let minutes = unavailability * 365.25 * 24.0 * 60.0;
    if minutes >= 120.0 {
        format!("{:.1} h", minutes / 60.0)
    } else {
        format!("{:.1} min", minutes)
    }
}

pub fn human(a: &Analysis, estimates: &[Option<Estimate>], order: usize, style: Style) -> String {
    let m = a.model;
    let mut rows: Vec<(String, u32)> = a.services().map(|s| (m.name(s).to_owned(), s)).collect();
    rows.sort();
    let mut t = Table::new(
        &[
            ("service", Align::Left),
            ("estimate", Align::Right),
            ("slo", Align::Right),
            ("downtime/year", Align::Right),
        ],
        "biggest contributors",
    );
    for (name, id) in rows {
        let Some(e) = estimates[id as usize].as_ref() else {
            continue;
        };
        let pct = |x: f64| format!("{:.4}%", x * 100.0);
        let slo = e.slo.map(pct).unwrap_or_else(|| "-".into());
        let misses = e.slo.is_some_and(|t| e.availability < t);
        let top: Vec<String> = e
            .contributors
            .iter()
            .take(3)
            .map(|(c, p)| {
                let names: Vec<String> = c.iter().map(|&u| style.id(m.name(u))).collect();
                format!(
                    "{} ({:.1}%)",
                    names.join("+"),
                    100.0 * p / (1.0 - e.availability).max(f64::MIN_POSITIVE)
                )
            })
            .collect();
        let mut last = if top.is_empty() {
            vec!["-".to_owned()]
        } else {
            terminal::commas(&top)
        };
        if misses {
            last.push(style.error(" MISSES SLO"));
        }
        let estimate = pct(e.availability);
        t.row(
            vec![
                name,
                if misses {
                    style.error(&estimate)
                } else {
                    estimate
                },
                slo,
                downtime(1.0 - e.availability),
            ],
            last,
        );
    }
    let mut s = t.render(style);
    s.push('\n');
    s.push_str(&style.dim(&terminal::fill(
        &format!("estimate: 1 - sum over minimal cut sets of up to {order} units of the product of their unavailabilities (independent failures, steady state)"),
        style.width,
        "",
        "  ",
    )));
    s
}

pub fn run(input: &Input, order: usize, format: DataFormat) -> Result<i32, i32> {
    let Prepared { model, config, .. } = context::load(input)?;
    let a = context::analysis(&model, &config, input)?;
    let estimates = a
        .estimates_at(order)
        .map_err(|e| context::too_large(&e, input.no_color))?;
    context::out(&match format {
        DataFormat::Json => json::to_string(&to_json(&a, &estimates)),
        DataFormat::Human => human(&a, &estimates, order, context::style(input.no_color)),
    });
    Ok(exit::CLEAN)
}
