//! `faultline spof`: the single points of failure of every service.

use super::context::{self, DataFormat, Input};
use crate::analysis::Analysis;
use crate::check::prepare::Prepared;
use crate::exit;
use crate::report::json;
use crate::report::terminal::{self, Align, Style, Table};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Every service UP with nothing failed, with its SPOFs (sorted).
pub fn compute(a: &Analysis) -> BTreeMap<String, Vec<String>> {
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

pub fn to_json(spofs: &BTreeMap<String, Vec<String>>) -> Value {
    json!({ "services": spofs })
}

pub fn human(a: &Analysis, spofs: &BTreeMap<String, Vec<String>>, style: Style) -> String {
    let mut t = Table::new(&[("service", Align::Left)], "single points of failure");
    for (svc, culprits) in spofs {
        let list = if culprits.is_empty() {
            vec![style.good("none")]
        } else {
            let names: Vec<String> = culprits.iter().map(|c| style.error(c)).collect();
            terminal::commas(&names)
        };
        t.row(vec![svc.clone()], list);
    }
    let mut s = t.render(style);
    let never: Vec<&str> = a
        .services()
        .filter(|&x| !a.is_up(x))
        .map(|x| a.model.name(x))
        .collect();
    if !never.is_empty() {
        s.push('\n');
        s.push_str(&terminal::list(
            &style.error("never healthy (down with nothing failed): "),
            &never,
            style.width,
        ));
    }
    let with = spofs.values().filter(|v| !v.is_empty()).count();
    s.push('\n');
    s.push_str(&terminal::fill(
        &format!(
            "{with} of {} services have a single point of failure",
            spofs.len()
        ),
        style.width,
        "",
        "  ",
    ));
    s
}

pub fn run(input: &Input, format: DataFormat) -> Result<i32, i32> {
    let Prepared { model, config, .. } = context::load(input)?;
    let a = context::analysis(&model, &config, input)?;
    let answer = compute(&a);
    context::out(&match format {
        DataFormat::Json => json::to_string(&to_json(&answer)),
        DataFormat::Human => human(&a, &answer, context::style(input.no_color)),
    });
    Ok(exit::CLEAN)
}
