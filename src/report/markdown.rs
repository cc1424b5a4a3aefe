//! Markdown (`check --format markdown`), for `$GITHUB_STEP_SUMMARY` and
//! pull-request comments: a one-line verdict, counts by rule and severity,
//! a table of findings, and for each service with a single point of failure
//! a Mermaid picture of the chain from the service down to its culprits
//! (only the paths that lead to a culprit; see `analysis::graph::chain`) and, under
//! it, each culprit's failure path in words (see `chains.rs`).
//!
//! GitHub caps a step summary at 1 MiB, so the findings table and the
//! pictures stop after [`MAX_ROWS`] and [`MAX_CHARTS`] with a line saying how
//! many were left out; the JSON and SARIF outputs always hold everything.

use crate::analysis::Analysis;
use crate::check::Outcome;
use crate::report::{chains, graph, place, terminal};
use crate::rules::RuleSet;
use crate::rules::finding::Severity;
use std::collections::BTreeMap;

pub const MAX_ROWS: usize = 500;
pub const MAX_CHARTS: usize = 20;
/// Failure paths listed under each chart.
pub const MAX_CHAINS: usize = 8;

/// Text safe inside a table cell: no pipes, line breaks or raw HTML.
pub fn cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' => out.push_str("<br>"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// An id in a code span, whatever backticks it holds.
fn code(s: &str) -> String {
    span(&cell(s))
}

/// Text in a code span outside a table: nothing in it is read as markup,
/// so only line breaks and backticks need care.
fn span(s: &str) -> String {
    let s = s.replace(['\n', '\r'], " ");
    let ticks = (1..).find(|n| !s.contains(&"`".repeat(*n))).unwrap_or(1);
    let fence = "`".repeat(ticks);
    if s.starts_with('`') || s.ends_with('`') {
        format!("{fence} {s} {fence}")
    } else {
        format!("{fence}{s}{fence}")
    }
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

fn status(out: &Outcome, i: usize) -> &'static str {
    if out.findings[i].waived.is_some() {
        "waived"
    } else if out.is_baselined(i) {
        "baselined"
    } else {
        ""
    }
}

pub fn check(a: &Analysis, rules: &RuleSet, out: &Outcome) -> String {
    let model = a.model;
    let mut s = String::from("## faultline\n\n");
    s.push_str(&format!(
        "**{}**, {}, {}",
        terminal::count(out.count(Severity::Error), Severity::Error),
        terminal::count(out.count(Severity::Warning), Severity::Warning),
        terminal::count(out.count(Severity::Info), Severity::Info),
    ));
    let mut aside = Vec::new();
    if out.waived() > 0 {
        aside.push(format!("{} waived", out.waived()));
    }
    if out.baselined() > 0 {
        aside.push(format!("{} baselined", out.baselined()));
    }
    if !out.unused_waivers.is_empty() {
        aside.push(plural(out.unused_waivers.len(), "unused waiver"));
    }
    if !aside.is_empty() {
        s.push_str(&format!(" ({})", aside.join(", ")));
    }
    s.push_str(&format!(
        " in {} from {}.\n\n",
        plural(a.services().count(), "service"),
        plural(model.description_files.len(), "file"),
    ));
    if !out.unused_waivers.is_empty() {
        s.push_str("### Unused waivers\n\nThese waivers accept nothing any more:\n\n");
        s.push_str(&super::errors::markdown_list(
            &model.sources,
            &out.unused_waivers,
        ));
        s.push('\n');
    }
    if out.findings.is_empty() {
        s.push_str(&format!(
            "No findings: all {} rules pass.\n",
            rules.rules.len()
        ));
        return s;
    }

    // Counts: rule x severity, in rule order.
    s.push_str("### Findings by rule\n\n");
    s.push_str("| rule | severity | findings | waived | baselined |\n");
    s.push_str("|---|---|---:|---:|---:|\n");
    let mut counts: BTreeMap<(usize, &str, Severity), [usize; 3]> = BTreeMap::new();
    let order = |id: &str| rules.ids().position(|r| r == id).unwrap_or(usize::MAX);
    for (i, f) in out.findings.iter().enumerate() {
        let c = counts
            .entry((order(&f.rule), f.rule.as_str(), f.severity))
            .or_default();
        match status(out, i) {
            "waived" => c[1] += 1,
            "baselined" => c[2] += 1,
            _ => c[0] += 1,
        }
    }
    for ((_, rule, sev), [live, waived, baselined]) in &counts {
        s.push_str(&format!(
            "| {} | {sev} | {live} | {waived} | {baselined} |\n",
            code(rule)
        ));
    }

    s.push_str("\n### Findings\n\n");
    s.push_str("| severity | rule | subject | location | message | status |\n");
    s.push_str("|---|---|---|---|---|---|\n");
    for (i, f) in out.findings.iter().enumerate().take(MAX_ROWS) {
        let p = place::of_entity(model, f.subject);
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            f.severity,
            code(&f.rule),
            code(model.name(f.subject)),
            code(&format!("{}:{}", place::repo_path(p.file), p.start.line)),
            cell(&f.message),
            status(out, i),
        ));
    }
    if out.findings.len() > MAX_ROWS {
        s.push_str(&format!(
            "\n…and {} more (see the JSON or SARIF output).\n",
            out.findings.len() - MAX_ROWS
        ));
    }

    let spofs: Vec<usize> = (0..out.findings.len())
        .filter(|&i| rules.failure_order(&out.findings[i].rule).is_some())
        .filter(|&i| !out.findings[i].culprits.is_empty())
        .collect();
    if !spofs.is_empty() {
        s.push_str("\n### Single points of failure\n");
        for &i in spofs.iter().take(MAX_CHARTS) {
            let f = &out.findings[i];
            let v = crate::analysis::graph::chain(model, &a.circuit, f.subject, &f.culprits);
            let names: Vec<String> = f.culprits.iter().map(|&c| code(model.name(c))).collect();
            let st = status(out, i);
            s.push_str(&format!(
                "\n#### {}{}\n\nCulprits: {}.\n\n```mermaid\n{}```\n",
                code(model.name(f.subject)),
                if st.is_empty() {
                    String::new()
                } else {
                    format!(" ({st})")
                },
                names.join(", "),
                graph::mermaid(model, &v),
            ));
            s.push_str(&paths_list(model, f, out.paths_of(i)));
        }
        if spofs.len() > MAX_CHARTS {
            s.push_str(&format!(
                "\n…and {} more services with a single point of failure.\n",
                spofs.len() - MAX_CHARTS
            ));
        }
    }
    s
}

/// Each culprit's failure path, one list item each (at most
/// [`MAX_CHAINS`]).
fn paths_list(
    model: &crate::model::Model,
    f: &crate::rules::finding::Finding,
    paths: Option<&[crate::analysis::paths::Chain]>,
) -> String {
    let Some(paths) = paths else {
        return String::new();
    };
    let mut s = String::from("\nHow each one takes it down:\n\n");
    for ch in paths.iter().take(MAX_CHAINS) {
        s.push_str(&format!("- {}\n", span(&chains::line(model, ch))));
    }
    let more = f.culprits.len().saturating_sub(paths.len().min(MAX_CHAINS));
    if more > 0 {
        let why = format!("faultline why PATH... --service {}", model.name(f.subject));
        s.push_str(&format!(
            "- …and {more} more ({} shows them all)\n",
            span(&why)
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_and_code_spans() {
        assert_eq!(cell("a|b\nc<d>"), "a\\|b<br>c&lt;d&gt;");
        assert_eq!(code("web-a"), "`web-a`");
        assert_eq!(code("a`b"), "``a`b``");
    }
}
