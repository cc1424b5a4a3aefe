//! The NetBox data-quality report: a power port without a cable makes a
//! host look like it needs no power; a cluster without hosts runs nothing.

use super::gap::Gap;
use super::mapping::Mapped;
use crate::import::report::{self, Report};
use crate::model::Kind;
use std::collections::BTreeMap;

pub fn of(mapped: &Mapped) -> Report {
    let mut counts: BTreeMap<Kind, usize> = BTreeMap::new();
    let mut gaps: BTreeMap<Gap, Vec<String>> =
        Gap::ALWAYS.iter().map(|g| (*g, Vec::new())).collect();
    for e in mapped.entities.values() {
        *counts.entry(e.kind).or_default() += 1;
        for (g, name) in &e.gaps {
            gaps.entry(*g).or_default().push(name.clone());
        }
    }
    for l in &mapped.left_out {
        gaps.entry(l.gap).or_default().push(l.name.clone());
    }
    Report {
        source_name: "NetBox",
        imported: super::write::sections()
            .map(|k| (k, counts.get(&k).copied().unwrap_or(0)))
            .collect(),
        gaps: gaps
            .into_iter()
            .map(|(gap, mut names)| {
                names.sort();
                report::Gap {
                    key: gap.key(),
                    text: gap.text(names.len()).to_owned(),
                    names,
                }
            })
            .collect(),
        requests: None,
    }
}
