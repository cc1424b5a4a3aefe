//! `faultline spof`: the single points of failure of every service.

use super::context::{self, DataFormat, Input, column_width};
use crate::analysis::Analysis;
use crate::check::prepare::Prepared;
use crate::exit;
use crate::report::json;
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

pub fn human(a: &Analysis, spofs: &BTreeMap<String, Vec<String>>) -> String {
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

pub fn run(input: &Input, format: DataFormat) -> Result<i32, i32> {
    let Prepared { model, config, .. } = context::load(input)?;
    let a = context::analysis(&model, &config, input)?;
    let answer = compute(&a);
    context::out(&match format {
        DataFormat::Json => json::to_string(&to_json(&answer)),
        DataFormat::Human => human(&a, &answer),
    });
    Ok(exit::CLEAN)
}
