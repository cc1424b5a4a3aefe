//! The data-quality report an import ends with: what it wrote, and what
//! the source leaves unsaid, each gap a dependency (or a rule) the analysis
//! cannot see. Counted over what was imported, with the first few names,
//! on stderr for people and as JSON on stdout for scripts.

use crate::model::Kind;
use serde_json::json;
use std::io::Write as _;

/// How many names each line shows.
const FIRST: usize = 5;

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
}

/// One kind of gap and every name it applies to.
pub struct Gap {
    /// Its key in the JSON report (`power_ports_not_cabled`).
    pub key: &'static str,
    /// Its text for a count (`"power port not cabled"` for one).
    pub text: String,
    /// Sorted.
    pub names: Vec<String>,
}

pub struct Report {
    /// `NetBox`, `vCenter`: whose data quality this is.
    pub source_name: &'static str,
    /// Entities written per kind, in file order.
    pub imported: Vec<(Kind, usize)>,
    pub gaps: Vec<Gap>,
    /// HTTP requests the import made, where the load on the source is
    /// worth showing.
    pub requests: Option<u64>,
}

/// `text` wrapped, continuation lines indented, never breaking an id.
fn wrap(text: &str, indent: &str) -> String {
    // Printed on stderr: as wide as the terminal there (or COLUMNS).
    let width = crate::report::terminal::width(crate::report::terminal::Stream::Stderr);
    let options = textwrap::Options::new(width)
        .subsequent_indent(indent)
        .word_separator(textwrap::WordSeparator::AsciiSpace)
        .word_splitter(textwrap::WordSplitter::NoHyphenation);
    let mut s = textwrap::fill(text, options);
    s.push('\n');
    s
}

impl Report {
    /// Prints the report where `format` says.
    pub fn emit(&self, format: Format, url: &str, out: &str) {
        match format {
            Format::Human => {
                let _ = std::io::stderr().write_all(self.human(url, out).as_bytes());
            }
            Format::Json => {
                let _ = std::io::stdout().write_all(self.json(url, out).as_bytes());
            }
        }
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
        let requests = self
            .requests
            .map(|n| format!(" in {n} request{}", if n == 1 { "" } else { "s" }))
            .unwrap_or_default();
        let mut s = wrap(
            &format!(
                "faultline: imported from {url} into `{out}`{requests}: {}",
                imported.join(", ")
            ),
            "  ",
        );
        s.push_str(&format!(
            "{} data quality (each gap hides dependencies from the analysis):\n",
            self.source_name
        ));
        let width = self
            .gaps
            .iter()
            .map(|g| g.names.len().to_string().len())
            .max()
            .unwrap_or(1);
        for gap in &self.gaps {
            let n = gap.names.len();
            let mut line = format!("  {n:>width$} {}", gap.text);
            if n > 0 {
                line.push_str(": ");
                line.push_str(&gap.names[..n.min(FIRST)].join(", "));
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
            .map(|g| {
                let first = &g.names[..g.names.len().min(FIRST)];
                (
                    g.key.to_owned(),
                    json!({"count": g.names.len(), "first": first}),
                )
            })
            .collect();
        let mut doc = json!({"url": url, "out": out, "imported": imported, "quality": quality});
        if let Some(n) = self.requests {
            doc["requests"] = json!(n);
        }
        let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
        text.push('\n');
        text
    }
}
