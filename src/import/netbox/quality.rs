//! The data-quality report: what NetBox does not say, each gap a
//! dependency the analysis cannot see. A power port without a cable makes a
//! host look like it needs no power; a cluster without hosts runs nothing.
//! Counted over what was imported, with the first few names, on stderr for
//! people and as JSON for scripts.

use super::gap::Gap;
use super::mapping::Mapped;
use crate::model::Kind;
use serde_json::json;
use std::collections::BTreeMap;

/// How many names each line shows.
const FIRST: usize = 5;
/// Columns of the human report, as for findings.
const WIDTH: usize = 100;

/// `text` wrapped, continuation lines indented, never breaking an id.
fn wrap(text: &str, indent: &str) -> String {
    let options = textwrap::Options::new(WIDTH)
        .subsequent_indent(indent)
        .word_separator(textwrap::WordSeparator::AsciiSpace)
        .word_splitter(textwrap::WordSplitter::NoHyphenation);
    let mut s = textwrap::fill(text, options);
    s.push('\n');
    s
}

pub struct Report {
    /// Entities written per kind, in file order.
    pub imported: Vec<(Kind, usize)>,
    /// Every name of every gap, sorted.
    pub gaps: BTreeMap<Gap, Vec<String>>,
}

impl Report {
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
        for names in gaps.values_mut() {
            names.sort();
        }
        let imported = super::write::sections()
            .map(|k| (k, counts.get(&k).copied().unwrap_or(0)))
            .collect();
        Report { imported, gaps }
    }

    pub fn human(&self, url: &str, out: &str) -> String {
        let imported: Vec<String> = self
            .imported
            .iter()
            .map(|(kind, n)| {
                let noun = if *n == 1 {
                    kind.singular()
                } else {
                    kind.section()
                };
                format!("{n} {noun}")
            })
            .collect();
        let mut s = wrap(
            &format!(
                "faultline: imported from {url} into `{out}`: {}",
                imported.join(", ")
            ),
            "  ",
        );
        s.push_str("NetBox data quality (each gap hides dependencies from the analysis):\n");
        let width = self
            .gaps
            .values()
            .map(|n| n.len().to_string().len())
            .max()
            .unwrap_or(1);
        for (gap, names) in &self.gaps {
            let n = names.len();
            let mut line = format!("  {n:>width$} {}", gap.text(n));
            if n > 0 {
                line.push_str(": ");
                line.push_str(
                    &names
                        .iter()
                        .take(FIRST)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", "),
                );
                if n > FIRST {
                    line.push_str(&format!(" and {} more", n - FIRST));
                }
            }
            s.push_str(&wrap(&line, &" ".repeat(width + 3)));
        }
        s
    }

    pub fn json(&self, url: &str, out: &str) -> String {
        let imported: serde_json::Map<String, serde_json::Value> = self
            .imported
            .iter()
            .map(|(kind, n)| (kind.section().to_owned(), json!(n)))
            .collect();
        let quality: serde_json::Map<String, serde_json::Value> = self
            .gaps
            .iter()
            .map(|(gap, names)| {
                let first: Vec<&String> = names.iter().take(FIRST).collect();
                (
                    gap.key().to_owned(),
                    json!({"count": names.len(), "first": first}),
                )
            })
            .collect();
        let doc = json!({"url": url, "out": out, "imported": imported, "quality": quality});
        let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
        text.push('\n');
        text
    }
}
