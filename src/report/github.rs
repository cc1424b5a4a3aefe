//! GitHub Actions workflow commands (`check --format github`): one
//! `::error`, `::warning` or `::notice` line per finding, which the runner
//! turns into an annotation on the subject's id key in the pull request's
//! diff.
//!
//! ```text
//! ::error file=infra/estate.yaml,line=12,col=3,endLine=12,endColumn=13,title=single-point-of-failure::service `storefront` ...
//! ```
//!
//! Waived and baselined findings print nothing: an annotation asks someone
//! to act, and those have already been accepted (the SARIF, JSON and human
//! outputs still list them). Nothing else is printed on stdout, so the
//! output can be piped or mixed into a job's log as is.
//!
//! Escaping follows the runner's parser: in the message `%`, `\r` and `\n`
//! become `%25`, `%0D` and `%0A`; property values additionally escape `:`
//! and `,` (`%3A`, `%2C`), which would otherwise end the value.

use crate::check::Outcome;
use crate::model::Model;
use crate::report::place;
use crate::rules::finding::Severity;

/// Escapes the message part (after `::`).
pub fn escape_data(s: &str) -> String {
    escape(s, &[])
}

/// Escapes a property value (`file=...`, `title=...`), where `:` and `,`
/// would end the property.
pub fn escape_property(s: &str) -> String {
    escape(s, &[':', ','])
}

/// Percent-encodes `%`, line breaks and `also`, as the runner decodes them.
fn escape(s: &str, also: &[char]) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            c if matches!(c, '%' | '\r' | '\n') || also.contains(&c) => {
                out.push_str(&format!("%{:02X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out
}

fn command(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// One workflow command per finding that needs attention.
pub fn check(model: &Model, out: &Outcome) -> String {
    let mut s = String::new();
    for (i, f) in out.findings.iter().enumerate() {
        if f.waived.is_some() || out.is_baselined(i) {
            continue;
        }
        let p = place::of_entity(model, f.subject);
        let mut msg = f.message.clone();
        if let Some(h) = &f.help {
            msg.push_str("\nhelp: ");
            msg.push_str(h);
        }
        s.push_str(&format!(
            "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            command(f.severity),
            escape_property(&place::repo_path(p.file)),
            p.start.line,
            p.start.column,
            p.end.line,
            p.end.column,
            escape_property(&f.rule),
            escape_data(&msg),
        ));
    }
    s.push_str(&errors(&model.sources, &out.unused_waivers));
    s
}

/// One `::error` workflow command per error (`::warning` for a warning).
pub fn errors(
    sources: &crate::input::source::Sources,
    errors: &[crate::input::diag::InputError],
) -> String {
    let mut out = String::new();
    for e in errors {
        let place = match super::place::of_error(sources, e) {
            Some((file, at)) => format!(
                " file={},line={},col={},title={}",
                escape_property(&super::place::repo_path(file)),
                at.line,
                at.column,
                escape_property(&if e.warning {
                    e.code.to_owned()
                } else {
                    format!("input error: {}", e.code)
                })
            ),
            None => String::new(),
        };
        let command = if e.warning { "warning" } else { "error" };
        out.push_str(&format!(
            "::{command}{place}::{}\n",
            escape_data(&e.with_help())
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_message_and_properties() {
        let m = "100% of `a:b, c`\r\nnext line";
        assert_eq!(escape_data(m), "100%25 of `a:b, c`%0D%0Anext line");
        assert_eq!(escape_property(m), "100%25 of `a%3Ab%2C c`%0D%0Anext line");
        // `%` first: an escape is never escaped twice.
        assert_eq!(escape_data("%0A"), "%250A");
        assert_eq!(escape_property("a,b:c%"), "a%2Cb%3Ac%25");
    }

    #[test]
    fn one_line_per_live_finding() {
        use crate::analysis::Analysis;
        use crate::model::Date;
        let text = "racks:\n  r1: {}\nhosts:\n  h1: {rack: r1}\n  h2: {rack: r1}\nservices:\n  s: {instances: [h1, h2]}\n";
        let model = crate::model::load::load_str("dir/e,1.yaml", text)
            .ok()
            .expect("loads");
        let rules = crate::rules::RuleSet::load(Vec::new()).ok().expect("rules");
        let a = Analysis::new(
            &model,
            Date {
                year: 2026,
                month: 1,
                day: 1,
            },
        );
        let out = crate::check::run(&a, &rules);
        let text = check(&model, &out);
        assert!(!out.findings.is_empty());
        assert_eq!(text.lines().count(), out.findings.len());
        let first = text
            .lines()
            .find(|l| l.contains("title=single-point-of-failure"))
            .unwrap();
        assert!(first.starts_with("::error file=dir/e%2C1.yaml,line=7,col=3,endLine=7,endColumn=4,title=single-point-of-failure::"), "{first}");
    }
}
