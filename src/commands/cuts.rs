//! `faultline cuts`: every minimal cut set of up to K units of every
//! service. The answer can be far larger than the estate (160 MB of JSON
//! at order 3 on 100k entities), so it is written as it is computed, a
//! chunk of services at a time, never held whole.

use super::context::{self, DataFormat, Input};
use crate::analysis::Analysis;
use crate::check::prepare::Prepared;
use crate::engine::{CutSets, TooLarge, by_name};
use crate::exit;
use crate::model::{EntityId, Model};
use crate::report::terminal::{self, Style};
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::collections::BTreeMap;
use std::io::Write;

/// Services computed together (in parallel) before they are written.
const CHUNK: usize = 2048;

pub struct Cuts<'a> {
    model: &'a Model,
    cuts: &'a CutSets,
    /// Services UP with nothing failed, by id.
    services: Vec<EntityId>,
    max_order: usize,
}

pub fn compute<'a>(a: &'a Analysis, max_order: usize) -> Result<Cuts<'a>, TooLarge> {
    let cuts = a.cuts(max_order)?;
    let mut services: Vec<EntityId> = a.services().filter(|&s| a.is_up(s)).collect();
    a.model.sort_by_name(&mut services);
    Ok(Cuts {
        model: a.model,
        cuts,
        services,
        max_order,
    })
}

impl Cuts<'_> {
    /// Every service with its cut sets (each sorted by id, the list by
    /// size then ids), in id order.
    pub fn for_each(&self, mut f: impl FnMut(EntityId, Vec<Vec<EntityId>>)) {
        use rayon::prelude::*;
        for chunk in self.services.chunks(CHUNK) {
            let families: Vec<Vec<Vec<EntityId>>> = chunk
                .par_iter()
                .map(|&s| by_name(self.model, &self.cuts.family(s)))
                .collect();
            for (&s, fam) in chunk.iter().zip(families) {
                f(s, fam);
            }
        }
    }

    /// The whole answer as names (tests and small estates).
    pub fn to_map(&self) -> BTreeMap<String, Vec<Vec<String>>> {
        let mut out = BTreeMap::new();
        self.for_each(|s, fam| {
            out.insert(self.model.name(s).to_owned(), self.names(&fam));
        });
        out
    }

    fn names(&self, fam: &[Vec<EntityId>]) -> Vec<Vec<String>> {
        fam.iter()
            .map(|c| c.iter().map(|&u| self.model.name(u).to_owned()).collect())
            .collect()
    }

    /// `{"services": {...}}`, pretty, with a final newline.
    pub fn write_json(&self, w: &mut dyn Write) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut *w, &Top(self))?;
        w.write_all(b"\n")
    }

    pub fn write_human(&self, w: &mut dyn Write, style: Style) -> std::io::Result<()> {
        let m = self.model;
        let mut result = Ok(());
        self.for_each(|s, sets| {
            if result.is_err() {
                return;
            }
            let mut text = format!("{}\n", style.heading(m.name(s)));
            if sets.is_empty() {
                text.push_str(
                    &style.good(&format!("  no cut set of up to {} units\n", self.max_order)),
                );
            }
            for order in 1..=self.max_order {
                let of: Vec<&Vec<EntityId>> = sets.iter().filter(|c| c.len() == order).collect();
                if of.is_empty() {
                    continue;
                }
                let label = match order {
                    1 => "single failures".to_owned(),
                    2 => "pairs".to_owned(),
                    3 => "triples".to_owned(),
                    n => format!("sets of {n}"),
                };
                text.push_str(&format!("  {label} ({}):\n", of.len()));
                for c in of {
                    // "a +" "b +" "c": a long set wraps between members.
                    let n = c.len();
                    let pieces: Vec<String> = c
                        .iter()
                        .enumerate()
                        .map(|(i, &u)| {
                            let name = style.id(m.name(u));
                            if i + 1 < n { format!("{name} +") } else { name }
                        })
                        .collect();
                    text.push_str("    ");
                    text.push_str(&terminal::pack(&pieces, 4, 6, style.width));
                    text.push('\n');
                }
            }
            result = w.write_all(text.as_bytes());
        });
        result
    }
}

struct Top<'c, 'a>(&'c Cuts<'a>);

impl Serialize for Top<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(1))?;
        map.serialize_entry("services", &Services(self.0))?;
        map.end()
    }
}

struct Services<'c, 'a>(&'c Cuts<'a>);

impl Serialize for Services<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let c = self.0;
        let mut map = s.serialize_map(Some(c.services.len()))?;
        let mut failed = None;
        c.for_each(|svc, fam| {
            if failed.is_some() {
                return;
            }
            let names: Vec<Vec<&str>> = fam
                .iter()
                .map(|cut| cut.iter().map(|&u| c.model.name(u)).collect())
                .collect();
            if let Err(e) = map.serialize_entry(c.model.name(svc), &names) {
                failed = Some(e);
            }
        });
        if let Some(e) = failed {
            return Err(e);
        }
        map.end()
    }
}

pub fn run(input: &Input, max_order: usize, format: DataFormat) -> Result<i32, i32> {
    let Prepared { model, config, .. } = context::load(input)?;
    let a = context::analysis(&model, &config, input)?;
    let answer = compute(&a, max_order).map_err(|e| context::too_large(&e, input.no_color))?;
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    // A closed pipe (`| head`) is not an error worth reporting.
    let _ = match format {
        DataFormat::Json => answer.write_json(&mut w),
        DataFormat::Human => answer.write_human(&mut w, context::style(input.no_color)),
    }
    .and_then(|_| w.flush());
    Ok(exit::CLEAN)
}
