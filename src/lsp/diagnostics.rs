//! Findings and input problems as LSP diagnostics, at the places `check`
//! reports them: a finding at its subject's id key (the JSON report's
//! `location`), an input error at its primary label.
//!
//! The rule id is the diagnostic's code, with a link to the rule's
//! documentation; culprits and the other labels become related
//! information, so an editor can jump to the PDU in another file that
//! takes a service down. Waived findings are left out: they are accepted
//! risks, and an editor has no "waived" state to show them in.

use super::text::{Encoding, uri_of};
use super::workspace::{Checked, Snapshot};
use crate::input::diag::InputError;
use crate::model::Model;
use crate::rules::finding::{Finding, Severity};
use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location,
    NumberOrString, Position, Range, Uri,
};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Related locations per diagnostic at most, as many as the terminal
/// report labels: a SPOF finding on a big estate can name hundreds of
/// culprits, the message names them all, and every related location is
/// resent with every edit.
const MAX_RELATED: usize = 8;

/// The source every diagnostic carries (editors show it next to the code).
pub const SOURCE: &str = "faultline";

/// Where every diagnostic of a check goes, before any is built: each
/// file (an empty list for a clean file, so that stale ones are cleared)
/// with its findings and input problems in the order `check` reports
/// them, and the problems that point at no file.
///
/// Building a file's diagnostics (positions, related locations) and
/// sending them is most of publishing on a big estate; planning first
/// lets the server build and send the open files' lists first and the
/// others one file at a time, stopping when the next edit arrives.
#[derive(Default)]
pub struct Plan {
    pub by_file: BTreeMap<PathBuf, Vec<Item>>,
    pub unplaced: Vec<String>,
}

/// One diagnostic to be: a finding by its index among the snapshot's
/// findings, or an input problem, built already (there are few).
pub enum Item {
    Finding(usize),
    Problem(Box<Diagnostic>),
}

/// What the server was asked for (`initializationOptions`).
pub struct Settings<'a> {
    pub rules_url: Option<&'a str>,
    /// Most diagnostics sent for one file: every edit resends a file's
    /// whole list, and a generated estate with tens of thousands of
    /// findings in one file would send megabytes per keystroke to an
    /// editor that cannot show them anyway.
    pub max_per_file: usize,
}

pub fn plan(snap: &Snapshot, enc: Encoding) -> Plan {
    let mut by_file: BTreeMap<PathBuf, Vec<Item>> = snap
        .files
        .iter()
        .map(|(_, p)| p)
        .chain(snap.docs.iter().map(|d| &d.path))
        .map(|p| (p.clone(), Vec::new()))
        .collect();
    let mut unplaced = Vec::new();
    if let Checked::Loaded {
        model, findings, ..
    } = &snap.checked
    {
        for (i, f) in findings.iter().enumerate() {
            if f.waived.is_some() {
                continue;
            }
            if let Some(path) = snap.path_of(model.get(f.subject).span) {
                match by_file.get_mut(path) {
                    Some(list) => list.push(Item::Finding(i)),
                    None => {
                        by_file.insert(path.to_path_buf(), vec![Item::Finding(i)]);
                    }
                }
            }
        }
    }
    let mut last_file = None;
    for e in snap.problems() {
        match problem(snap, e, enc) {
            Some((path, d)) => {
                last_file = Some(path.clone());
                by_file
                    .entry(path)
                    .or_default()
                    .push(Item::Problem(Box::new(d)));
            }
            // "N more errors not shown" belongs with the errors shown.
            None if e.code == "too-many-errors" && last_file.is_some() => {
                let path = last_file.clone().unwrap_or_default();
                by_file
                    .entry(path)
                    .or_default()
                    .push(Item::Problem(Box::new(plain(e, Range::default()))));
            }
            None => unplaced.push(e.message.clone()),
        }
    }
    Plan { by_file, unplaced }
}

/// The diagnostics of one file of a plan.
pub fn build(
    snap: &Snapshot,
    items: &[Item],
    enc: Encoding,
    settings: &Settings,
) -> Vec<Diagnostic> {
    let mut list = Vec::with_capacity(items.len().min(settings.max_per_file + 1));
    if let Checked::Loaded {
        model, findings, ..
    } = &snap.checked
    {
        for item in items {
            if let Item::Finding(i) = item
                && let Some((_, d)) = finding(snap, model, &findings[*i], enc, settings.rules_url)
            {
                list.push(d);
            }
        }
    }
    list.extend(items.iter().filter_map(|item| match item {
        Item::Problem(d) => Some((**d).clone()),
        Item::Finding(_) => None,
    }));
    cap(&mut list, settings.max_per_file);
    list
}

/// Keeps the `max` most severe diagnostics of a file (in file order among
/// equals), and says how many more there are.
fn cap(list: &mut Vec<Diagnostic>, max: usize) {
    if list.len() <= max {
        return;
    }
    let more = list.len() - max;
    // ERROR is 1, HINT 4: most severe first.
    list.sort_by_key(|d| d.severity.unwrap_or(DiagnosticSeverity::ERROR));
    list.truncate(max);
    list.push(Diagnostic {
        range: Range::default(),
        severity: Some(DiagnosticSeverity::INFORMATION),
        code: Some(NumberOrString::String("too-many-diagnostics".into())),
        source: Some(SOURCE.to_owned()),
        message: format!(
            "{more} more problems in this file are not shown (the editor gets at most {max} per file); `faultline check` lists them all"
        ),
        ..Diagnostic::default()
    });
}

fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

/// The page that documents a rule: the rules reference for built-in
/// rules, the rule file itself for custom ones.
fn rule_link(snap: &Snapshot, rule: &str, rules_url: Option<&str>) -> Option<Uri> {
    match snap.rule_origins.get(rule).map(String::as_str) {
        Some("built-in") | None => format!("{}#{rule}", rules_url?).parse().ok(),
        Some(file) => uri_of(&super::workspace::source_path(file)?),
    }
}

fn with_help(message: &str, help: Option<&str>) -> String {
    match help {
        Some(h) => format!("{message}\nhelp: {h}"),
        None => message.to_owned(),
    }
}

fn related(
    snap: &Snapshot,
    span: crate::input::source::Span,
    text: &str,
    enc: Encoding,
) -> Option<DiagnosticRelatedInformation> {
    let (path, range) = snap.place(span, enc)?;
    Some(DiagnosticRelatedInformation {
        location: Location::new(snap.uri(&path)?, range),
        message: text.to_owned(),
    })
}

fn finding(
    snap: &Snapshot,
    model: &Model,
    f: &Finding,
    enc: Encoding,
    rules_url: Option<&str>,
) -> Option<(PathBuf, Diagnostic)> {
    let subject = model.get(f.subject);
    let (path, range) = snap.place(subject.span, enc)?;
    let label = if f.culprit_label.is_empty() {
        "culprit"
    } else {
        f.culprit_label.as_str()
    };
    let culprits = f.culprits.iter().filter(|&&c| c != f.subject).map(|&c| {
        let e = model.get(c);
        (
            e.span,
            format!("{label}: {} `{}`", e.kind().singular(), e.id),
        )
    });
    let notes = f.notes.iter().map(|(s, t)| (*s, t.clone()));
    let related_information: Vec<_> = culprits
        .chain(notes)
        .filter_map(|(span, text)| related(snap, span, &text, enc))
        .take(MAX_RELATED)
        .collect();
    let d = Diagnostic {
        range,
        severity: Some(severity(f.severity)),
        code: Some(NumberOrString::String(f.rule.clone())),
        code_description: rule_link(snap, &f.rule, rules_url).map(|href| CodeDescription { href }),
        source: Some(SOURCE.to_owned()),
        message: with_help(&f.message, f.help.as_deref()),
        related_information: (!related_information.is_empty()).then_some(related_information),
        ..Diagnostic::default()
    };
    Some((path, d))
}

fn plain(e: &InputError, range: Range) -> Diagnostic {
    Diagnostic {
        range,
        severity: Some(if e.warning {
            DiagnosticSeverity::WARNING
        } else {
            DiagnosticSeverity::ERROR
        }),
        code: Some(NumberOrString::String(e.code.to_owned())),
        source: Some(SOURCE.to_owned()),
        message: with_help(&e.message, e.help.as_deref()),
        ..Diagnostic::default()
    }
}

/// An input error or warning at its primary label; one without a label
/// but whose message starts with `file:line:col: ` (a file that is not
/// text) or `file: ` (one too large to read) at that place, without the
/// prefix.
fn problem(snap: &Snapshot, e: &InputError, enc: Encoding) -> Option<(PathBuf, Diagnostic)> {
    let Some(span) = e.primary_span() else {
        return placed_by_message(snap, e);
    };
    let (path, range) = snap.place(span, enc)?;
    let mut d = plain(e, range);
    let related_information: Vec<_> = e
        .labels
        .iter()
        .filter(|l| !l.primary)
        .filter_map(|l| related(snap, l.span, &l.text, enc))
        .collect();
    d.related_information = (!related_information.is_empty()).then_some(related_information);
    Some((path, d))
}

fn placed_by_message(snap: &Snapshot, e: &InputError) -> Option<(PathBuf, Diagnostic)> {
    for (name, path) in &snap.files {
        let Some(rest) = e
            .message
            .strip_prefix(name.as_str())
            .and_then(|r| r.strip_prefix(':'))
        else {
            continue;
        };
        // `file: message` (a file too large to read): at its start.
        if let Some(message) = rest.strip_prefix(' ') {
            let mut diag = plain(e, Range::default());
            diag.message = with_help(message, e.help.as_deref());
            return Some((path.clone(), diag));
        }
        let mut parts = rest.splitn(3, ':');
        let (Some(line), Some(col), Some(message)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let (Ok(line), Ok(col)) = (line.parse::<u32>(), col.parse::<u32>()) else {
            continue;
        };
        // Such files are not text, or not indexed: the column is as the
        // message counts it (characters), which is all there is.
        let at = Position::new(line.saturating_sub(1), col.saturating_sub(1));
        let mut diag = plain(e, Range::new(at, at));
        diag.message = with_help(message.trim_start(), e.help.as_deref());
        return Some((path.clone(), diag));
    }
    None
}
