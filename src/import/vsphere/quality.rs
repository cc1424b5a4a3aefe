//! What vCenter knows that the description cannot say, or that makes the
//! description less than the truth: each gap is listed in the report so
//! that nobody mistakes the import for the whole picture.

use super::gap::Gap;
use super::mapping::Mapped;
use crate::import::report::{self, Report};
use crate::model::Kind;
use std::collections::BTreeMap;

/// The sections the import writes, in report order.
pub const SECTIONS: [Kind; 4] = [Kind::Cluster, Kind::Host, Kind::Vm, Kind::Component];

/// The report of `mapped`, read in `requests` requests.
pub fn of(mapped: &Mapped, requests: u64) -> Report {
    let mut counts: BTreeMap<Kind, usize> = BTreeMap::new();
    for e in mapped.entities.values() {
        *counts.entry(e.kind).or_default() += 1;
    }
    Report {
        source_name: "vCenter",
        imported: SECTIONS
            .iter()
            .map(|k| (*k, counts.get(k).copied().unwrap_or(0)))
            .collect(),
        gaps: Gap::ALL
            .iter()
            .map(|g| {
                let mut names = mapped.gaps.get(g).cloned().unwrap_or_default();
                names.sort();
                names.dedup();
                report::Gap {
                    key: g.key(),
                    text: g.text(names.len()).to_owned(),
                    names,
                }
            })
            .collect(),
        requests: Some(requests),
    }
}
